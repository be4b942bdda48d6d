"""``/api/v1/`` write endpoints: each parses the request, calls one service, answers. Idempotency
(``partners.idempotency``) wraps the writes that a partner's retry could otherwise repeat."""

import json
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from applications.forms import COMPLETE_SUBMISSION_DOCUMENTS
from partners import idempotency, write_serializers
from partners.api import PartnerAPIView
from partners.authentication import PartnerCaller
from partners.models import Scope
from partners.problems import Problem
from partners.submissions import OutsideRegionError, SubmissionRefusedError, partner_submission_create

IDEMPOTENCY_HEADER = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "Kunci unik per pengiriman (mis. UUID). Kirim ulang dengan kunci dan isi yang sama: jawaban pertama diulang."
    ),
)


def outside_region() -> Problem:
    return Problem(
        status=403,
        slug="outside-region",
        detail=_("Wilayah data ini berada di luar lingkup wilayah klien ini."),
    )


def replayed(answer: idempotency.Answer, replay: bool) -> Response:
    status, body = answer
    return Response(body, status=status, headers={"Idempotent-Replayed": "true"} if replay else None)


class SubmissionCreate(PartnerAPIView):
    """Submit a complete application (group, members, proposal, documents) for a ketua's account."""

    required_scope = Scope.SUBMISSIONS_WRITE
    parser_classes = [MultiPartParser]
    serializer_class = write_serializers.SubmissionSerializer

    @extend_schema(
        operation_id="submissions_create",
        request={"multipart/form-data": write_serializers.SubmissionRequestSerializer},
        responses={201: write_serializers.SubmissionSerializer, 200: write_serializers.SubmissionSerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        caller: PartnerCaller = request.user
        key = idempotency.key_from_header(request.headers.get(idempotency.HEADER), required=True)
        text = request.data.get("data", "")
        try:
            payload = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise _refused({"data": [_("Bagian 'data' harus berisi objek JSON.")]})
        documents = {kind: request.FILES[kind] for kind in COMPLETE_SUBMISSION_DOCUMENTS if kind in request.FILES}
        fingerprint = idempotency.request_hash(
            [
                text.encode(),
                *(part for kind in sorted(documents) for part in (kind.encode(), _content(documents[kind]))),
            ]
        )
        answer, replay = idempotency.idempotent_call(
            client=caller.client,
            key=key,
            operation="submissions_create",
            fingerprint=fingerprint,
            perform=lambda: self._submit(caller, payload, documents),
        )
        return replayed(answer, replay)

    def _submit(self, caller: PartnerCaller, payload: dict, documents: dict) -> idempotency.Answer:
        try:
            result = partner_submission_create(scope=caller.region_scope(), payload=payload, documents=documents)
        except SubmissionRefusedError as error:
            raise _refused(error.errors) from error
        except OutsideRegionError as error:
            raise outside_region() from error
        application = result.application
        body = {
            "id": application.pk,
            "reference": application.reference,
            "status": application.status,
            "created": result.created,
            "url": reverse("api:application-detail", args=[application.pk]),
        }
        return (201 if result.created else 200), body


def _content(upload: Any) -> bytes:
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    return content


def _refused(errors: dict) -> Problem:
    return Problem(
        status=422,
        slug="submission-refused",
        detail=_("Pengajuan belum dapat diterima. Perbaiki hal-hal dalam 'errors'."),
        extra={"errors": errors},
    )
