"""Officers' side of payment verification: the sampling plan (data), the draws with their results per
batch and province, the sampled payments, and the follow-up list where a field officer records a call
or a visit (an action behind the confirmation page, calling ``payment_checks.services``). Every list
is region-scoped."""

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jps_portal.admin_actions import Decision, confirm_then_run
from jps_portal.admin_guards import ServiceOnlyChangeMixin
from notifications.phones import phone_masked, phone_normalise
from payment_checks import selectors, services
from payment_checks.forms import FollowUpForm
from payment_checks.models import (
    DrawStratum,
    FollowUpCase,
    FollowUpRecord,
    Respondent,
    SampledPayment,
    SampleStatusChange,
    SamplingPlan,
    VerificationDraw,
)

MAX_FOLLOW_UPS = 20


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(SamplingPlan)
class SamplingPlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "confidence_level",
        "margin_of_error",
        "expected_proportion",
        "minimum_per_province",
        "follow_up_after_days",
        "link_valid_days",
        "is_active",
    ]
    list_filter = ["is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: SamplingPlan | None = None) -> bool:
        return False  # draws point at it: retire it with "dipakai" instead


class StratumInline(ReadOnlyInline):
    model = DrawStratum
    fields = ["province", "population", "sample_size"]
    readonly_fields = fields


@admin.register(VerificationDraw)
class VerificationDrawAdmin(ServiceOnlyChangeMixin, admin.ModelAdmin):
    list_display = ["batch", "drawn_at", "population", "sample_size", "invited_at", "results_link"]
    list_select_related = ["batch"]
    readonly_fields = [
        "batch",
        "plan",
        "confidence_level",
        "margin_of_error",
        "expected_proportion",
        "minimum_per_province",
        "follow_up_after_days",
        "link_valid_days",
        "population",
        "sample_size",
        "drawn_at",
        "invited_at",
    ]
    fields = readonly_fields
    inlines = [StratumInline]
    search_fields = ["=batch__reference"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[VerificationDraw]:
        # A draw spans provinces: an officer sees those with samples in their region.
        scoped = SampledPayment.objects.in_scope_of(request.user).values("draw_id")
        return super().get_queryset(request).filter(pk__in=scoped)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drawn after reconciliation (payment_checks.tasks)

    def has_change_permission(self, request: HttpRequest, obj: VerificationDraw | None = None) -> bool:
        return False

    def get_urls(self) -> list:
        results = path(
            "hasil/", self.admin_site.admin_view(self.results_view), name="payment_checks_verificationdraw_results"
        )
        return [results, *super().get_urls()]

    @admin.display(description=_("hasil"))
    def results_link(self, draw: VerificationDraw) -> str:
        url = reverse("admin:payment_checks_verificationdraw_results") + f"?draw={draw.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Lihat hasil"))

    def results_view(self, request: HttpRequest) -> TemplateResponse:
        """Per batch and province: sample size, responses, response rate, confirmed %, discrepancies."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        draw = request.GET.get("draw", "")
        rows = selectors.results_by_batch_and_province(user=request.user, draw_id=int(draw) if draw.isdigit() else None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Hasil verifikasi pembayaran per batch dan provinsi"),
            "opts": self.model._meta,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/payment_checks/results.html", context)


class RespondentInline(ReadOnlyInline):
    model = Respondent
    fields = ["role", "name", "phone_shown", "answer", "amount_received", "answered_at"]
    readonly_fields = fields

    @admin.display(description=_("nomor HP"))
    def phone_shown(self, respondent: Respondent) -> str:
        try:
            return phone_masked(phone_normalise(respondent.phone))
        except ValueError:
            return "****"


class StatusChangeInline(ReadOnlyInline):
    model = SampleStatusChange
    fields = ["changed_at", "from_status", "to_status", "channel", "changed_by", "note"]
    readonly_fields = fields


class FollowUpRecordInline(ReadOnlyInline):
    model = FollowUpRecord
    fields = ["recorded_at", "method", "outcome", "amount_received", "recorded_by", "note"]
    readonly_fields = fields


SAMPLE_FIELDS = [
    "draw",
    "group",
    "tranche",
    "province",
    "regency",
    "amount",
    "status",
    "answered_via",
    "amount_received",
    "ticket",
    "follow_up_since",
    "updated_at",
]


class SampleAdminBase(ServiceOnlyChangeMixin, admin.ModelAdmin):
    list_display = ["group", "regency", "tranche_number", "amount", "status", "ticket", "updated_at"]
    list_select_related = ["group", "regency", "tranche", "ticket"]
    list_filter = ["status", "province"]
    search_fields = ["group__name", "=group__code"]
    readonly_fields = SAMPLE_FIELDS
    fields = SAMPLE_FIELDS
    inlines = [RespondentInline, FollowUpRecordInline, StatusChangeInline]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[SampledPayment]:
        return super().get_queryset(request).in_scope_of(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SampledPayment | None = None) -> bool:
        return False  # changed by the respondents' answers and the follow-up action only

    @admin.display(description=_("tahap ke"))
    def tranche_number(self, sample: SampledPayment) -> int:
        return sample.tranche.number


@admin.register(SampledPayment)
class SampledPaymentAdmin(SampleAdminBase):
    list_filter = ["status", "province", "draw"]


@admin.register(FollowUpCase)
class FollowUpCaseAdmin(SampleAdminBase):
    """The field officer's list: sampled groups that did not answer the SMS in time."""

    list_display = ["group", "regency", "tranche_number", "amount", "status", "follow_up_since", "calls_and_visits"]
    actions = ["record_follow_up"]
    ordering = ["follow_up_since", "pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SampledPayment]:
        return (
            super()
            .get_queryset(request)
            .filter(status__in=[SampledPayment.Status.FOLLOW_UP, SampledPayment.Status.UNREACHABLE])
            .annotate(follow_up_count=Count("follow_ups", filter=Q(follow_ups__isnull=False)))
        )

    def has_record_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.FOLLOW_UP_PERMISSION)

    @admin.display(description=_("telepon/kunjungan"))
    def calls_and_visits(self, sample: SampledPayment) -> int:
        return sample.follow_up_count  # type: ignore[attr-defined]

    @admin.action(description=_("Catat hasil telepon/kunjungan"), permissions=["record"])
    def record_follow_up(self, request: HttpRequest, queryset: QuerySet[SampledPayment]) -> TemplateResponse | None:
        return confirm_then_run(
            self,
            request,
            queryset,
            Decision(
                action="record_follow_up",
                title=_("Catat hasil telepon/kunjungan"),
                form_class=FollowUpForm,
                run=lambda sample, data: services.follow_up_record(
                    sample=sample,
                    by=request.user,
                    method=data["method"],
                    outcome=data["outcome"],
                    amount=data["amount"],
                    note=data["note"],
                ),
                done_message=_("%(count)d hasil tindak lanjut dicatat."),
            ),
            template="admin/payment_checks/follow_up_confirmation.html",
            label=str,
            limit=MAX_FOLLOW_UPS,
        )
