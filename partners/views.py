"""``/api/v1/`` read endpoints: thin views over ``partners.selectors`` (see ``partners.api`` for the
authentication, scope, throttle, call log and ETag every one of them shares)."""

import tempfile
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from disbursements import bankfiles
from disbursements.models import PaymentBatch
from disbursements.services import payment_batch_transfer_lines
from partners import filters, selectors, serializers
from partners.api import PartnerAPIView, StableCursorPagination
from partners.authentication import PartnerCaller
from partners.models import Scope
from partners.problems import Problem
from regions.scope import RegionScope
from transparency.listing import Selection

_NOTHING = RegionScope(national=False, province_codes=frozenset(), regency_codes=frozenset())


class _ScopedRead(PartnerAPIView):
    required_scope = Scope.APPLICATIONS_READ

    def region_scope(self) -> RegionScope:
        # Schema generation builds views without a caller: it sees the shape, never a row.
        caller = self.request.user
        return caller.region_scope() if isinstance(caller, PartnerCaller) else _NOTHING


class _List(mixins.ListModelMixin, _ScopedRead):
    pagination_class = StableCursorPagination
    filter_backends = [DjangoFilterBackend]

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


class _Detail(mixins.RetrieveModelMixin, _ScopedRead):
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.retrieve(request, *args, **kwargs)


class ApplicationList(_List):
    """Applications in the client's region, each with its status history, oldest id first."""

    serializer_class = serializers.ApplicationSerializer
    filterset_class = filters.ApplicationFilter

    def get_queryset(self) -> QuerySet:
        return selectors.applications_for(self.region_scope())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Value rows and one history query per page, not model instances: the same JSON as the
        # serializer (``test_the_list_shows_what_the_detail_shows``), several times faster per row.
        rows = self.paginate_queryset(self.filter_queryset(selectors.application_rows_for(self.region_scope())))
        histories = selectors.status_histories([row["id"] for row in rows])
        return self.get_paginated_response(serializers.application_rows(rows, histories))


class ApplicationDetail(_Detail):
    """One application (404 when it is outside the client's region)."""

    serializer_class = serializers.ApplicationSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.applications_for(self.region_scope())


class GroupList(_List):
    """Groups in the client's region, with their member counts."""

    serializer_class = serializers.GroupSerializer
    filterset_class = filters.GroupFilter

    def get_queryset(self) -> QuerySet:
        return selectors.groups_for(self.region_scope())


class GroupDetail(_Detail):
    serializer_class = serializers.GroupSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.groups_for(self.region_scope())


class MemberList(_List):
    """Members in the client's region; NIKs masked unless the client holds ``nik:read``."""

    serializer_class = serializers.MemberSerializer
    filterset_class = filters.MemberFilter

    def get_queryset(self) -> QuerySet:
        return selectors.members_for(self.region_scope())


class MemberDetail(_Detail):
    serializer_class = serializers.MemberSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.members_for(self.region_scope())


class TallyList(_ScopedRead):
    """The current tally snapshot (its ``as_of`` says when it was counted), in the client's region."""

    required_scope = Scope.TALLIES_READ
    serializer_class = serializers.TalliesSerializer

    @extend_schema(parameters=[serializers.TallyQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = serializers.TallyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        tallies = selectors.tallies_for(
            self.region_scope(), **{"year": None, "programme": None, **query.validated_data}
        )
        if tallies is None:
            raise NotFound(_("Rekap belum pernah dihitung."))
        return Response(self.get_serializer(tallies).data)


class PublicPagination(StableCursorPagination):
    ordering = "pk"


class PublicList(_ScopedRead):
    """The public list of funded groups (as the public site shows it), in the client's region."""

    required_scope = Scope.PUBLIC_READ
    serializer_class = serializers.PublicRowSerializer
    pagination_class = PublicPagination

    # A cursor-paginated list of rows (not one row): said here, as this view is no ListModelMixin.
    @extend_schema(parameters=[serializers.PublicQuerySerializer], responses=serializers.PublicRowSerializer(many=True))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = serializers.PublicQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        queryset = selectors.public_list_for(
            self.region_scope(),
            selection=Selection(year=values["year"], programme=values["programme"]),
            province=values.get("province"),
            regency=values.get("regency"),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- money: tranches, payment batches, the bank transfer file --------------------------------------


class TrancheList(_List):
    """Tranches (tahap) of the applications in the client's region."""

    required_scope = Scope.DISBURSEMENTS_READ
    serializer_class = serializers.TrancheSerializer
    filterset_class = filters.TrancheFilter

    def get_queryset(self) -> QuerySet:
        return selectors.tranches_for(self.region_scope())


class TrancheDetail(_Detail):
    required_scope = Scope.DISBURSEMENTS_READ
    serializer_class = serializers.TrancheSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.tranches_for(self.region_scope())


class BatchList(_List):
    """Payment batches made for the client's provinces (a batch for all provinces: national clients)."""

    required_scope = Scope.DISBURSEMENTS_READ
    serializer_class = serializers.BatchSerializer
    filterset_class = filters.BatchFilter

    def get_queryset(self) -> QuerySet:
        return selectors.batches_for(self.region_scope())


class BatchDetail(_Detail):
    required_scope = Scope.DISBURSEMENTS_READ
    serializer_class = serializers.BatchSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.batches_for(self.region_scope())


class BatchTransferFile(_ScopedRead):
    """The batch's transfer file as the bank received it (the admin's exporter). Only an exported
    batch has one: exporting locks the batch, and that stays finance's act in the admin."""

    required_scope = Scope.DISBURSEMENTS_READ

    def get_queryset(self) -> QuerySet:
        return selectors.batches_for(self.region_scope())

    @extend_schema(
        operation_id="batches_transfer_file",
        parameters=[serializers.TransferFileQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="Berkas transfer (CSV)"),
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(OpenApiTypes.BINARY, description="Berkas transfer (XLSX)"),
        },
    )
    def get(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Any:
        query = serializers.TransferFileQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        batch = self.get_object()
        if batch.status == PaymentBatch.Status.OPEN:
            raise Problem(
                status=409,
                slug="conflict",
                detail=_("Batch ini belum diekspor; berkas transfer ada setelah keuangan mengekspornya di admin."),
            )
        lines = payment_batch_transfer_lines(batch)
        filename = f"{batch.reference}.{query.validated_data['file_format']}"
        if query.validated_data["file_format"] == "csv":
            response = StreamingHttpResponse(
                bankfiles.transfer_csv_stream(lines), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
        bankfiles.transfer_xlsx(lines, target)
        target.seek(0)
        return FileResponse(target, as_attachment=True, filename=filename)
