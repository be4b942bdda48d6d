"""Issue 4's whole story, as the officers live it: a Jawa Barat verifier imports a Disnaker list,
sees the flags, acknowledges the warning and verifies; a PPK approves within quota; every step is on
the record (status history, simple-history with the acting user, the Jejak audit pages)."""

import pytest
from django.contrib.admin import helpers
from django.test import Client
from django.urls import reverse

from applications.models import Application, ApplicationStatusChange, Flag, MemberListImport
from groups.models import Group
from tests.applications.member_list_files import csv_upload, member_rows
from tests.factories import ApplicationFactory, GroupFactory, SchemeFactory, SchemeQuotaFactory, add_members

pytestmark = pytest.mark.django_db
APPLICATIONS = reverse("admin:applications_application_changelist")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _act(client: Client, url: str, action: str, ids: list[int], **data) -> object:
    return client.post(
        url, {"action": action, helpers.ACTION_CHECKBOX_NAME: ids, "confirm": "yes", **data}, follow=True
    )


def test_import_flag_verify_approve_within_quota_all_on_the_record(
    verifier, approver, django_capture_on_commit_callbacks
):
    scheme = SchemeFactory(year=2020, members_min=3, members_max=5)
    SchemeQuotaFactory(scheme=scheme, province_id="32", groups=1)
    semarang = ApplicationFactory(group=add_members(GroupFactory(regency_id="33.74"), 3)[0].group, scheme=scheme)
    budi = _client(verifier)

    # 1. Budi sees only Jawa Barat.
    assert semarang.reference not in budi.get(APPLICATIONS).content.decode()

    # 2. He imports the Disnaker list: one group whose account holder is nobody in the group.
    rows = member_rows("DSN-3204-001", account_holder="Sutrisno Wibowo")
    budi.post(reverse("admin:applications_memberlistimport_upload"), {"file": csv_upload(rows)})
    job = MemberListImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):  # the integrity checks run after commit
        confirmed = budi.post(reverse("admin:applications_memberlistimport_confirm", args=[job.pk]), follow=True)
    assert "1 kelompok, 3 anggota dan 1 pengajuan diimpor." in confirmed.content.decode()
    application = Application.objects.get(group__code="DSN-3204-001")
    assert application.status == Application.Status.SUBMITTED

    # 3. The checks ran (eagerly here) and the warning shows on the application's page.
    flag = Flag.objects.get(group=application.group, rule=Flag.Rule.ACCOUNT_HOLDER_NAME, resolved_at__isnull=True)
    page = budi.get(reverse("admin:applications_application_change", args=[application.pk])).content.decode()
    assert "Sutrisno Wibowo" in page

    # 4. Verifying is refused while the warning is open; he acknowledges it with a note, then verifies.
    refused = _act(budi, APPLICATIONS, "verify_selected", [application.pk])
    assert any(application.reference in str(m) for m in refused.context["messages"])
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    _act(
        budi,
        reverse("admin:applications_flag_changelist"),
        "acknowledge_selected",
        [flag.pk],
        note="Rekening atas nama pendamping desa; surat kuasa ada di berkas.",
    )
    flag.refresh_from_db()
    assert (flag.cleared_by, flag.resolved_at is not None) == (verifier, True)
    _act(budi, APPLICATIONS, "verify_selected", [application.pk], note="Lengkap.")
    application.refresh_from_db()
    assert application.status == Application.Status.VERIFIED

    # 5. Rahmat, the PPK, approves it within the province quota (one group).
    _act(_client(approver), APPLICATIONS, "approve_selected", [application.pk])
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.approved_amount == scheme.amount_per_group

    # 6. Every step is on the record, with who did it.
    steps = list(ApplicationStatusChange.objects.filter(application=application).values_list("to_status", "changed_by"))
    assert steps[-2:] == [("verified", verifier.pk), ("approved", approver.pk)]
    history = application.history.order_by("history_date")
    assert history.last().history_user == approver
    assert Group.history.filter(code="DSN-3204-001").exists()
    trail = budi.get(reverse("admin:audit_applicationchange_changelist")).content.decode()
    assert application.reference in trail
