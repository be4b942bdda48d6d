import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Role
from applications.integrity import group_checks_recompute, open_flags_problem
from applications.models import Application, Flag, TransitionError
from applications.services import application_approve
from grievances import services
from grievances.models import Ticket, TicketHistory
from notifications.models import Message
from tests.factories import ApplicationFactory, GroupFactory, SchemeQuotaFactory, UserFactory, add_members
from tests.transparency.conftest import funded_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(db):
    return funded_application()


def _object_publicly(client, application, category, text="Kelompok ini tidak pernah ada di desa kami."):
    return client.post(
        reverse("grievances:objection", args=[application.pk]),
        {"category": category.pk, "description": text, "name": "Warga Dayeuhkolot", "email": "warga@example.id"},
    )


# --- filing ----------------------------------------------------------------------------------------


def test_a_citizen_objects_from_the_public_list_and_gets_a_number_and_a_tracking_page(
    client, funded, categories, verifier
):
    response = _object_publicly(client, funded, categories["kelompok-fiktif"])

    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == services.tracking_path(ticket)
    assert re.fullmatch(r"ADU-\d{4}-\d{7}", ticket.number)
    assert (ticket.filed_by, ticket.application, ticket.group, ticket.regency_id) == (
        Ticket.Filer.PUBLIC,
        funded,
        funded.group,
        "32.04",
    )
    # Budi covers Jawa Barat (no regency-level officer there): the ticket is his, at province level.
    assert (ticket.status, ticket.assigned_to, ticket.level) == (
        Ticket.Status.ASSIGNED,
        verifier,
        Ticket.Level.PROVINCE,
    )
    assert list(ticket.history.values_list("kind", "to_status")) == [("filed", "received"), ("status", "assigned")]
    page = client.get(response["Location"]).content.decode()
    assert ticket.number in page and "Ditugaskan" in page
    assert Message.objects.filter(to="warga@example.id", template="ticket_update").exists()


def test_a_regency_officer_is_preferred_to_the_province(client, funded, categories, verifier):
    regency_officer = UserFactory(username="sari", role=Role.VERIFIER)
    regency_officer.scope_regencies.add("32.04")

    _object_publicly(client, funded, categories["kelompok-fiktif"])

    ticket = Ticket.objects.get()
    assert (ticket.assigned_to, ticket.level) == (regency_officer, Ticket.Level.REGENCY)


def test_an_objection_only_for_a_funded_group(client, categories):
    draft = funded_application(status=Application.Status.DRAFT, approved_amount=None)

    assert _object_publicly(client, draft, categories["kelompok-fiktif"]).status_code == 404
    assert not Ticket.objects.exists()


def test_anonymous_reports_only_for_sensitive_categories(categories):
    with pytest.raises(ValidationError):
        services.ticket_file(
            category=categories["pembayaran"],
            description="Uang belum masuk.",
            filed_by=Ticket.Filer.ANONYMOUS,
            regency=GroupFactory().regency,
        )


def test_an_anonymous_report_keeps_no_identity_even_if_sent(categories):
    ticket = services.ticket_file(
        category=categories["pungli"],
        description="Petugas meminta Rp2 juta agar pencairan cepat.",
        filed_by=Ticket.Filer.ANONYMOUS,
        regency=GroupFactory().regency,
        name="Siti",
        phone="081234567890",
        email="siti@example.id",
    )

    assert (ticket.complainant_name, ticket.complainant_phone, ticket.complainant_email) == ("", "", "")
    assert not Message.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(complainant_phone="+6281234567890")


def test_a_citizen_proves_a_phone_by_sms_code_then_complains(client, categories, verifier):
    assert "Verifikasi nomor HP" in client.get(reverse("grievances:complaint")).content.decode()

    client.post(reverse("grievances:phone_verify"), {"phone": "0812-3456-7890"})
    sms = Message.objects.get(template="one_time_code")
    code = re.search(r"\b(\d{6})\b", sms.body).group(1)
    assert (
        client.post(reverse("grievances:phone_code"), {"code": "000000" if code != "000000" else "111111"}).status_code
        == 200
    )
    assert client.post(reverse("grievances:phone_code"), {"code": code}).status_code == 302
    response = client.post(
        reverse("grievances:complaint"),
        {
            "category": categories["pembayaran"].pk,
            "regency": "32.04",
            "description": "Tahap 1 belum masuk.",
            "name": "Dedi",
        },
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.filed_by, ticket.complainant_phone, ticket.complainant_name) == ("phone", "+6281234567890", "Dedi")
    assert Message.objects.filter(template="ticket_update", to="+6281234567890").exists()
    page = client.get(response["Location"]).content.decode()
    assert "6281234567890" not in page and "Dedi" not in page


def test_a_logged_in_ketua_complains_about_the_own_group(client, applicant, categories, verifier):
    group = GroupFactory(user=applicant)
    client.force_login(applicant)

    response = client.post(
        reverse("grievances:complaint"), {"category": categories["pembayaran"].pk, "description": "Jumlah kurang."}
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.filed_by, ticket.group, ticket.complainant_user) == ("ketua", group, applicant)


# --- the lifecycle ----------------------------------------------------------------------------------


def test_an_upheld_objection_blocks_the_approval_of_the_group(categories, verifier, approver):
    group = GroupFactory()
    add_members(group, 3)
    verified = ApplicationFactory(group=group, status=Application.Status.VERIFIED)
    SchemeQuotaFactory(scheme=verified.scheme)
    ticket = services.ticket_file(
        category=categories["kelompok-fiktif"],
        description="Fiktif.",
        filed_by=Ticket.Filer.PUBLIC,
        application=verified,
    )

    services.ticket_investigate(ticket=ticket, by=verifier)
    services.ticket_resolve(ticket=ticket, by=verifier, upheld=True, note="Dicek ke desa: kelompok tidak ada.")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.UPHELD and ticket.flag.severity == Flag.Severity.BLOCK
    assert ticket.flag.rule == Flag.Rule.OBJECTION_UPHELD and ticket.number in ticket.flag.evidence
    group_checks_recompute(group=group)  # the nightly rules do not close it
    assert open_flags_problem(group)
    with pytest.raises(TransitionError):
        application_approve(application=verified, by=approver)
    assert list(ticket.history.values_list("to_status", flat=True)) == [
        "received",
        "assigned",
        "investigating",
        "upheld",
    ]


def test_the_transition_table_refuses_a_skipped_step(categories, verifier, funded):
    ticket = services.ticket_file(
        category=categories["kelompok-fiktif"], description="x", filed_by=Ticket.Filer.PUBLIC, application=funded
    )

    with pytest.raises(TransitionError):
        services.ticket_resolve(ticket=ticket, by=verifier, upheld=False, note="Terlalu cepat.")
    with pytest.raises(ValidationError):
        services.ticket_reject(ticket=ticket, by=verifier, note="  ")


def test_an_appeal_reopens_once_one_level_up_and_a_not_upheld_outcome_closes_the_flag(
    client, categories, verifier, funded
):
    national = UserFactory(username="nasional", scope_national=True, role=Role.VERIFIER)
    ticket = services.ticket_file(
        category=categories["kelompok-fiktif"], description="x", filed_by=Ticket.Filer.PUBLIC, application=funded
    )
    services.ticket_investigate(ticket=ticket, by=verifier)
    services.ticket_resolve(ticket=ticket, by=verifier, upheld=True, note="Terbukti.")
    track = services.tracking_path(ticket)

    client.post(track, {"reason": "Kelompok kami ada; ini laporan tetangga yang iri."})

    ticket.refresh_from_db()
    assert (ticket.status, ticket.appeals, ticket.level, ticket.assigned_to) == (
        Ticket.Status.ASSIGNED,
        1,
        Ticket.Level.NATIONAL,
        national,
    )
    services.ticket_investigate(ticket=ticket, by=national)
    services.ticket_resolve(ticket=ticket, by=national, upheld=False, note="Setelah banding: kelompok ada.")
    ticket.flag.refresh_from_db()
    assert ticket.flag.resolved_at is not None
    assert "Ajukan banding" not in client.get(track).content.decode()
    with pytest.raises(ValidationError):
        services.ticket_appeal(ticket=ticket, reason="lagi")


def test_reassignment_is_recorded_with_who_and_why(categories, verifier, funded):
    colleague = UserFactory(username="tono", role=Role.VERIFIER)
    colleague.scope_provinces.add("32")
    ticket = services.ticket_file(
        category=categories["kelompok-fiktif"], description="x", filed_by=Ticket.Filer.PUBLIC, application=funded
    )

    services.ticket_reassign(ticket=ticket, by=verifier, to=colleague, note="Cuti.")

    last = ticket.history.last()
    assert (ticket.assigned_to, last.kind, last.changed_by, last.note) == (colleague, "assignment", verifier, "Cuti.")


def test_an_overdue_ticket_escalates_once_and_the_receiving_officer_is_told(categories, verifier, funded):
    national = UserFactory(username="pusat", scope_national=True, role=Role.VERIFIER)
    ticket = services.ticket_file(
        category=categories["kelompok-fiktif"],
        description="x",
        filed_by=Ticket.Filer.PUBLIC,
        application=funded,
        email="warga@example.id",
    )
    later = ticket.due_on + datetime.timedelta(days=1)

    assert services.tickets_escalate_overdue(today=later) == 1
    assert services.tickets_escalate_overdue(today=later) == 0

    ticket.refresh_from_db()
    assert (ticket.level, ticket.assigned_to) == (Ticket.Level.NATIONAL, national)
    assert ticket.due_on > later
    assert ticket.history.filter(kind=TicketHistory.Kind.ESCALATION).count() == 1
    assert Message.objects.filter(template="ticket_update", to="warga@example.id").count() == 1  # when filed
    digest = Message.objects.get(template="tickets_escalated")
    assert (digest.to, digest.context["count"]) == (national.email, 1)


# --- who sees what ---------------------------------------------------------------------------------


def test_a_pungli_report_is_seen_only_by_the_integrity_team(
    client, categories, verifier, banten_officer, integrity_officer, portal_admin, director
):
    pungli = services.ticket_file(
        category=categories["pungli"],
        description="Oknum dinas minta 10%.",
        filed_by=Ticket.Filer.ANONYMOUS,
        regency=GroupFactory().regency,
    )

    assert pungli.assigned_to == integrity_officer
    for officer in (verifier, banten_officer, portal_admin, director):
        assert not Ticket.objects.visible_to(officer).filter(pk=pungli.pk).exists()
        with pytest.raises(PermissionDenied):
            services.ticket_investigate(ticket=pungli, by=officer)
    assert Ticket.objects.visible_to(integrity_officer).filter(pk=pungli.pk).exists()

    client.force_login(verifier)
    assert client.get(reverse("admin:grievances_ticket_change", args=[pungli.pk])).status_code in (302, 404)
    assert pungli.number not in client.get(reverse("admin:grievances_ticket_changelist")).content.decode()
    client.force_login(integrity_officer)
    assert pungli.number in client.get(reverse("admin:grievances_ticket_changelist")).content.decode()


def test_an_officer_never_sees_or_acts_on_another_regions_ticket(client, categories, verifier, banten_officer, funded):
    ticket = services.ticket_file(
        category=categories["kelompok-fiktif"], description="x", filed_by=Ticket.Filer.PUBLIC, application=funded
    )

    assert not Ticket.objects.visible_to(banten_officer).filter(pk=ticket.pk).exists()
    with pytest.raises(PermissionDenied):
        services.ticket_investigate(ticket=ticket, by=banten_officer)
    client.force_login(banten_officer)
    assert ticket.number not in client.get(reverse("admin:grievances_ticket_changelist")).content.decode()
    assert client.get(reverse("admin:grievances_ticket_change", args=[ticket.pk])).status_code in (302, 404)
    client.force_login(verifier)
    assert ticket.number in client.get(reverse("admin:grievances_ticket_changelist")).content.decode()


def test_the_officer_decides_through_the_confirmation_page(client, categories, verifier, funded):
    ticket = services.ticket_file(
        category=categories["kelompok-fiktif"], description="x", filed_by=Ticket.Filer.PUBLIC, application=funded
    )
    client.force_login(verifier)
    url = reverse("admin:grievances_ticket_changelist")
    chosen = {"action": "investigate_selected", "_selected_action": [ticket.pk]}

    confirmation = client.post(url, chosen)
    assert confirmation.status_code == 200 and ticket.number in confirmation.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.ASSIGNED

    client.post(url, {**chosen, "confirm": "yes", "note": ""})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.INVESTIGATING


def test_the_officer_sees_a_masked_phone_and_escaped_text(client, categories, verifier):
    ticket = services.ticket_file(
        category=categories["pembayaran"],
        description="<script>alert('x')</script>",
        filed_by=Ticket.Filer.VERIFIED_PHONE,
        regency=GroupFactory().regency,
        phone="081234567890",
    )
    client.force_login(verifier)

    page = client.get(reverse("admin:grievances_ticket_change", args=[ticket.pk])).content.decode()

    assert "081234567890" not in page and "+6281234567890" not in page and "****" in page
    assert "<script>alert('x')</script>" not in page


# --- abuse -------------------------------------------------------------------------------------------


def test_a_wrong_tracking_link_is_a_404_whatever_is_wrong(client, categories, funded):
    ticket = services.ticket_file(
        category=categories["kelompok-fiktif"], description="x", filed_by=Ticket.Filer.PUBLIC, application=funded
    )

    assert client.get(reverse("grievances:track", args=[ticket.number, "salah"])).status_code == 404
    assert client.get(reverse("grievances:track", args=["ADU-2099-0000001", ticket.tracking_token])).status_code == 404


def test_filing_without_an_account_is_rate_limited(client, categories, funded, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "grievance-file": (2, 3600)}

    statuses = [_object_publicly(client, funded, categories["kelompok-fiktif"]).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"category": "abc", "description": "x" * 5000, "email": "bukan-email"},
        {"category": "999999", "regency": "99.99", "description": "<b>x</b>", "name": "🙂" * 300},
        {"code": "a" * 500, "phone": "+62" + "9" * 40, "reason": ""},
    ],
)
def test_garbage_never_causes_a_server_error(client, categories, funded, data):
    ticket = services.ticket_file(
        category=categories["kelompok-fiktif"], description="x", filed_by=Ticket.Filer.PUBLIC, application=funded
    )
    urls = [
        reverse("grievances:objection", args=[funded.pk]),
        reverse("grievances:complaint") + "?anonim=1",
        reverse("grievances:complaint"),
        reverse("grievances:phone_verify"),
        reverse("grievances:phone_code"),
        services.tracking_path(ticket),
    ]
    for url in urls:
        assert client.post(url, data).status_code < 500, url
        assert client.get(url).status_code < 500, url


def test_the_beat_task_escalates_overdue_tickets(categories, verifier, funded):
    from grievances.tasks import escalate_overdue_tickets

    ticket = services.ticket_file(
        category=categories["kelompok-fiktif"], description="x", filed_by=Ticket.Filer.PUBLIC, application=funded
    )
    Ticket.objects.filter(pk=ticket.pk).update(due_on=datetime.date(2020, 1, 1))

    assert escalate_overdue_tickets.delay().get() == 1
    ticket.refresh_from_db()
    assert ticket.level == Ticket.Level.NATIONAL  # no province or national officer is left above Budi


def test_with_the_sms_gateway_down_the_ticket_is_kept_and_its_message_waits(
    monkeypatch, categories, verifier, django_capture_on_commit_callbacks
):
    from notifications import sms

    def gateway_down(self, *, to, body, reference):
        raise sms.SmsDeliveryError("503 Service Unavailable")

    monkeypatch.setattr(sms.LocmemBackend, "send", gateway_down)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_file(
            category=categories["pembayaran"],
            description="Tahap 1 belum masuk.",
            filed_by=Ticket.Filer.VERIFIED_PHONE,
            regency=GroupFactory().regency,
            phone="081234567890",
        )

    assert Ticket.objects.filter(pk=ticket.pk).exists()
    message = Message.objects.get(template="ticket_update")
    assert (message.status, message.attempts) == (Message.Status.PENDING, 1)
    assert ticket.number in message.body


def test_asking_for_codes_too_often_is_a_429_with_retry_after(client, settings):
    settings.OTP_PHONE_LIMIT = 1

    first = client.post(reverse("grievances:phone_verify"), {"phone": "081234567890"})
    second = client.post(reverse("grievances:phone_verify"), {"phone": "081234567890"})

    assert first.status_code == 302
    assert second.status_code == 429 and int(second["Retry-After"]) > 0


def test_the_sweep_moves_each_overdue_ticket_one_level_to_an_officer_there(categories, verifier):
    sari = UserFactory(username="sari", role=Role.VERIFIER)
    sari.scope_regencies.add("32.04")
    in_bandung = [
        services.ticket_file(
            category=categories["pembayaran"],
            description="x",
            filed_by=Ticket.Filer.PUBLIC,
            regency=sari.scope_regencies.get(),
        )
        for _ in range(2)
    ]
    in_banten = services.ticket_file(
        category=categories["pembayaran"],
        description="x",
        filed_by=Ticket.Filer.PUBLIC,
        regency=GroupFactory(regency_id="36.01").regency,
    )
    not_due = services.ticket_file(
        category=categories["lainnya"],
        description="x",
        filed_by=Ticket.Filer.PUBLIC,
        regency=sari.scope_regencies.get(),
    )
    day = in_bandung[0].due_on + datetime.timedelta(days=1)
    assert not_due.due_on >= day

    assert services.tickets_escalate_overdue(today=day) == 3

    for ticket in in_bandung:
        ticket.refresh_from_db()
        assert (ticket.level, ticket.assigned_to, ticket.status) == (Ticket.Level.PROVINCE, verifier, "assigned")
        assert ticket.history.last().kind == TicketHistory.Kind.ESCALATION
    in_banten.refresh_from_db()
    assert (in_banten.level, in_banten.assigned_to, in_banten.status) == (Ticket.Level.PROVINCE, None, "received")
    not_due.refresh_from_db()
    assert (not_due.level, not_due.assigned_to) == (Ticket.Level.REGENCY, sari)


def test_a_closed_or_national_ticket_is_never_escalated(categories, verifier, funded):
    UserFactory(username="pusat", scope_national=True, role=Role.VERIFIER)
    closed = services.ticket_file(
        category=categories["kelompok-fiktif"], description="x", filed_by=Ticket.Filer.PUBLIC, application=funded
    )
    services.ticket_reject(ticket=closed, by=verifier, note="Bukan sanggahan.")
    level = closed.level
    later = closed.due_on + datetime.timedelta(days=1)
    assert services.tickets_escalate_overdue(today=later) == 0
    closed.refresh_from_db()
    assert closed.level == level
    assert not closed.history.filter(kind=TicketHistory.Kind.ESCALATION).exists()
