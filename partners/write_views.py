"""``/api/v1/`` write endpoints: each parses the request, calls one service, answers. Idempotency
(``partners.idempotency``) wraps the writes that a partner's retry could otherwise repeat."""

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from applications import member_lists
from applications.forms import COMPLETE_SUBMISSION_DOCUMENTS
from applications.models import MemberListImport, TransitionError
from disbursements import bankfiles
from disbursements.services import bank_results_import
from jps_portal.request_id import current_request_id
from partners import idempotency, write_serializers
from partners.actors import client_actor
from partners.api import PartnerAPIView
from partners.authentication import PartnerCaller
from partners.models import Scope
from partners.problems import Problem
from partners.submissions import OutsideRegionError, SubmissionRefusedError, partner_submission_create

OPTIONAL_IDEMPOTENCY_HEADER = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Opsional: dengan kunci, kiriman ulang yang sama mengulang ringkasan pertama.",
)
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
        request={"multipart/form-data": write_serializers.SubmissionPartsSerializer},
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


# --- member lists: upload → dry run → confirm, as the admin's member-list pages ------------------------


class _MemberListView(PartnerAPIView):
    required_scope = Scope.MEMBER_LISTS_WRITE
    serializer_class = write_serializers.MemberListJobSerializer

    def job(self, pk: int) -> MemberListImport:
        """A job this client uploaded (another client's, or an officer's, is 404)."""
        caller = self.request.user
        actor_id = caller.client.actor_id if isinstance(caller, PartnerCaller) else None
        job = MemberListImport.objects.filter(pk=pk, uploaded_by_id=actor_id).first() if actor_id else None
        if job is None:
            raise NotFound
        return job

    def answer(self, job: MemberListImport, status: int = 200) -> Response:
        return Response(self.get_serializer(job).data, status=status)


class MemberListUpload(_MemberListView):
    """Upload a member list (CSV or XLSX, the admin's template): the dry run starts at once."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="member_lists_create",
        request={"multipart/form-data": write_serializers.MemberListUploadSerializer},
        responses={201: write_serializers.MemberListJobSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise _list_refused([_("Sertakan berkas daftar anggota di bagian 'file'.")])
        actor = client_actor(request.user.client)
        try:
            job = member_lists.member_list_upload(upload=upload, by=actor)
        except member_lists.FileRefusedError as refused:
            raise _list_refused(refused.messages) from refused
        member_lists.member_list_start(job=job, by=actor)
        job.refresh_from_db()
        return self.answer(job, status=201)


class MemberListDetail(_MemberListView):
    """The job: its status and, once checked, the dry run's counts, errors and warnings."""

    def get(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        return self.answer(self.job(pk))


class MemberListConfirm(_MemberListView):
    """Import a list the dry run found clean (202 while a big one imports in the background). Sent
    again, it answers the job as it stands: nothing is imported twice."""

    @extend_schema(
        operation_id="member_lists_confirm",
        request=None,
        responses={200: write_serializers.MemberListJobSerializer, 202: write_serializers.MemberListJobSerializer},
    )
    def post(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        job = self.job(pk)
        if job.status in (MemberListImport.Status.IMPORTING, MemberListImport.Status.IMPORTED):
            return self.answer(job)
        try:
            queued = member_lists.member_list_confirm(job=job, by=client_actor(request.user.client))
        except (ValidationError, TransitionError) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise Problem(status=409, slug="conflict", detail=text) from error
        job.refresh_from_db()
        return self.answer(job, status=202 if queued else 200)


def _list_refused(messages: list[str]) -> Problem:
    return Problem(
        status=422,
        slug="member-list-refused",
        detail=" ".join(messages),
        extra={"errors": {"file": messages}},
    )


# --- bank results, host to host ----------------------------------------------------------------------


class BankResultsCreate(PartnerAPIView):
    """The bank's transfer results — JSON lines, or the result file itself (multipart ``file``, read by
    the admin's reader) — reconciled by the admin's service (``bank_results_import``), every row
    checked by the same rules. Idempotent by itself: the same lines again change nothing
    (``already_applied``); with an ``Idempotency-Key`` the first summary is replayed."""

    required_scope = Scope.BANK_RESULTS_WRITE
    parser_classes = [JSONParser, MultiPartParser]
    serializer_class = write_serializers.BankResultsReportSerializer

    @extend_schema(
        operation_id="bank_results_create",
        request={
            "application/json": write_serializers.BankResultsSerializer,
            "multipart/form-data": write_serializers.BankResultsFileSerializer,
        },
        responses={200: write_serializers.BankResultsReportSerializer},
        parameters=[OPTIONAL_IDEMPOTENCY_HEADER],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        caller: PartnerCaller = request.user
        key = idempotency.key_from_header(request.headers.get(idempotency.HEADER), required=False)
        data = request.data if hasattr(request.data, "get") else {}
        upload = request.FILES.get("file")
        if upload is not None:
            read = lambda: bankfiles.read_bank_results(upload)  # noqa: E731 - the admin's file reader
            parts = [_content(upload)]
            default_name = upload.name or ""
        else:
            lines = data.get("lines")
            if not isinstance(lines, list) or not 1 <= len(lines) <= write_serializers.MAX_BANK_RESULT_LINES:
                raise _bank_refused(
                    [
                        _("Kirim 'lines': daftar 1–%(max)d baris hasil.")
                        % {"max": write_serializers.MAX_BANK_RESULT_LINES}
                    ]
                )
            read = lambda: bankfiles.read_bank_result_records(lines)  # noqa: E731
            parts = [json.dumps(lines, sort_keys=True, separators=(",", ":")).encode()] if key else []
            default_name = ""
        given_name = data.get("file_name")
        given_name = given_name.strip()[:200] if isinstance(given_name, str) else ""
        # Hashed as sent: the default name below holds the request id, which differs on every retry.
        fingerprint = idempotency.request_hash([given_name.encode(), default_name.encode(), *parts])
        file_name = given_name or default_name[:200] or f"API {caller.client.name} {current_request_id()}"
        answer, replay = idempotency.idempotent_call(
            client=caller.client,
            key=key,
            operation="bank_results_create",
            fingerprint=fingerprint,
            perform=lambda: self._reconcile(caller, read, file_name),
        )
        return replayed(answer, replay)

    def _reconcile(
        self, caller: PartnerCaller, read: Callable[[], list[bankfiles.BankResultRow]], file_name: str
    ) -> idempotency.Answer:
        try:
            rows = read()
            report = bank_results_import(rows=rows, file_name=file_name, by=client_actor(caller.client))
        except bankfiles.BankFileError as error:
            raise _bank_refused(error.messages) from error
        except ValidationError as error:
            raise _bank_refused(error.messages) from error
        body = {
            "file_name": report.file_name,
            "rows": report.rows,
            "paid": report.paid,
            "paid_amount": report.paid_amount,
            "failed": report.failed,
            "returned": report.returned,
            "already_applied": report.already_applied,
            "exceptions": report.exceptions,
            "exceptions_new": report.exceptions_new,
            "changed": report.changed,
            "batches_reconciled": report.batches_reconciled,
            "summary": report.summary(),
        }
        return 200, body


def _bank_refused(messages: list[str]) -> Problem:
    return Problem(
        status=422,
        slug="bank-results-refused",
        detail=_("Hasil bank ditolak; tidak ada yang diterapkan. Lihat 'errors'."),
        extra={"errors": {"lines": messages}},
    )
