"""The audit trail: who changed what, when, before → after — read-only, region-scoped, exportable."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application, Scheme
from audit.models import ApplicationChange, GroupChange, MemberChange, SchemeChange
from audit.resources import ChangeResource
from groups.models import Member
from groups.names import typed_text_clean
from groups.services import member_update
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    MemberFactory,
    SchemeFactory,
    SchemeQuotaFactory,
    make_nik,
)
from tests.spreadsheets.helpers import FORMULA_PAYLOADS, admin_export_form, read_export

pytestmark = pytest.mark.django_db

MEMBER_TRAIL = reverse("admin:audit_memberchange_changelist")


def _member_form(member: Member, **changes: object) -> dict[str, object]:
    """What the member change page posts: the fields it offers (identity is read-only there)."""
    data = {
        "role": member.role,
        "employment_status": member.employment_status,
        "phone": member.phone,
        "_save": "Simpan",
    }
    return {**data, **changes}


def _latest(model, **lookup):
    record = model.objects.filter(**lookup).order_by("-history_date", "-history_id").first()
    from audit.trail import attach_previous, describe_changes

    attach_previous([record])
    return record, describe_changes(record)


def test_an_admin_edit_of_a_members_phone_is_recorded_with_who_and_before_after(client, verifier):
    member = MemberFactory(phone="081200000001")
    client.force_login(verifier)
    response = client.post(
        reverse("admin:groups_member_change", args=[member.pk]), _member_form(member, phone="081299999999")
    )
    assert response.status_code == 302, response.content
    record, changes = _latest(MemberChange, id=member.pk)
    assert (record.history_type, record.history_user) == ("~", verifier)
    assert changes == "nomor HP: 081200000001 → 081299999999"


def test_an_admin_edit_of_a_members_nik_is_refused_and_says_why(client, verifier):
    member = MemberFactory()
    old_nik, new_nik = member.nik, make_nik(birth_date=member.birth_date, sex=member.sex, serial=4321)
    client.force_login(verifier)
    response = client.post(
        reverse("admin:groups_member_change", args=[member.pk]), _member_form(member, nik=new_nik), follow=True
    )
    assert "Tidak ada yang disimpan" in response.content.decode() and "NIK" in response.content.decode()
    assert Member.objects.get(pk=member.pk).nik == old_nik
    assert member.history.count() == 1  # the creation only


def test_an_admin_edit_of_a_groups_address_is_recorded_and_its_bank_account_is_not_editable(client, verifier):
    group = GroupFactory(account_number="1234567890", address="Jl. Lama 1")
    client.force_login(verifier)
    data = {
        "name": group.name,
        "village": group.village,
        "address": "Jl. Baru 2",
        "phone": group.phone,
        "user": "",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "_save": "Simpan",
    }
    response = client.post(reverse("admin:groups_group_change", args=[group.pk]), data)
    assert response.status_code == 302, response.content
    record, changes = _latest(GroupChange, id=group.pk)
    assert record.history_user == verifier
    assert changes == "alamat: Jl. Lama 1 → Jl. Baru 2"
    response = client.post(
        reverse("admin:groups_group_change", args=[group.pk]), {**data, "account_number": "9876543210"}, follow=True
    )
    assert "Tidak ada yang disimpan" in response.content.decode()
    group.refresh_from_db()
    assert group.account_number == "1234567890"


def test_an_approval_records_the_approved_amount_and_the_approver(approver):
    application = ApplicationFactory(status=Application.Status.VERIFIED)
    SchemeQuotaFactory(scheme=application.scheme)
    services.application_approve(application=application, by=approver)
    record, changes = _latest(ApplicationChange, id=application.pk)
    assert record.history_user == approver
    assert "nilai disetujui (Rp): ∅ → Rp40.000.000" in changes
    assert "status: Terverifikasi → Disetujui" in changes


def test_an_admin_edit_of_a_scheme_amount_is_recorded(admin_client, admin_user):
    scheme = SchemeFactory()
    data = {
        field: getattr(scheme, field)
        for field in ["programme", "year", "name", "members_min", "members_max", "age_min", "age_max"]
    }
    data.update(
        duration_days=scheme.duration_days,
        amount_per_group=35_000_000,
        wage_pekerja=0,
        wage_tukang=0,
        wage_ketua=0,
        tranche_plan="[100]",
        opens_on=scheme.opens_on.isoformat(),
        closes_on=scheme.closes_on.isoformat(),
        **{"quotas-TOTAL_FORMS": "0", "quotas-INITIAL_FORMS": "0", "_save": "Simpan"},
    )
    response = admin_client.post(reverse("admin:applications_scheme_change", args=[scheme.pk]), data)
    assert response.status_code == 302, response.content
    assert Scheme.objects.get(pk=scheme.pk).amount_per_group == 35_000_000
    page = admin_client.get(reverse("admin:audit_schemechange_changelist")).content.decode()
    assert "bantuan per kelompok (Rp): Rp40.000.000 → Rp35.000.000" in page
    assert admin_user.username in page


def test_a_service_write_outside_a_request_records_the_acting_user(applicant):
    member = MemberFactory()
    member_update(member=member, by=applicant, name="Sari Dewi")
    record, changes = _latest(MemberChange, id=member.pk)
    assert record.history_user == applicant
    assert "Sari Dewi" in changes


def test_the_trail_lists_who_when_type_and_before_after(client, verifier):
    member = MemberFactory(name="Sari", phone="081200000001")
    client.force_login(verifier)
    client.post(reverse("admin:groups_member_change", args=[member.pk]), _member_form(member, phone="081277777777"))
    page = client.get(MEMBER_TRAIL).content.decode()
    assert "nomor HP: 081200000001 → 081277777777" in page
    assert verifier.username in page


def test_a_jawa_barat_officer_sees_no_jawa_tengah_changes(client, verifier):
    MemberFactory(name="Warga Bandung")
    MemberFactory(name="Warga Semarang", group=GroupFactory(regency_id="33.74"))
    client.force_login(verifier)
    page = client.get(MEMBER_TRAIL).content.decode()
    assert "Warga Bandung" in page
    assert "Warga Semarang" not in page


def test_an_out_of_scope_change_cannot_be_opened(client, verifier):
    member = MemberFactory(group=GroupFactory(regency_id="33.74"))
    record = MemberChange.objects.get(id=member.pk)
    client.force_login(verifier)
    response = client.get(reverse("admin:audit_memberchange_change", args=[record.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))


def test_nobody_can_add_change_or_delete_a_change_record(admin_client):
    member = MemberFactory(name="Sari")
    record = MemberChange.objects.get(id=member.pk)
    assert admin_client.get(reverse("admin:audit_memberchange_add")).status_code == 403
    admin_client.post(reverse("admin:audit_memberchange_change", args=[record.pk]), {"name": "Palsu"})
    admin_client.post(reverse("admin:audit_memberchange_delete", args=[record.pk]), {"post": "yes"})
    assert MemberChange.objects.get(pk=record.pk).name == "Sari"
    assert admin_client.get(reverse("admin:audit_memberchange_delete", args=[record.pk])).status_code == 403


def test_a_non_staff_user_cannot_see_the_trail(client, applicant):
    client.force_login(applicant)
    response = client.get(MEMBER_TRAIL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_who_may_not_view_members_cannot_see_their_trail(client, finance):
    client.force_login(finance)  # bendahara: groups, not members
    assert client.get(MEMBER_TRAIL).status_code == 403
    assert client.get(reverse("admin:audit_groupchange_changelist")).status_code == 200


def test_the_trail_page_does_not_query_per_row(client, second_verifier, django_assert_max_num_queries):
    client.force_login(second_verifier)

    def edit_members(count: int) -> None:
        for index in range(count):
            member = MemberFactory()
            member_update(member=member, by=second_verifier, name=f"Nama {index}")

    edit_members(1)
    with django_assert_max_num_queries(20) as few:
        assert client.get(MEMBER_TRAIL).status_code == 200
    edit_members(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(MEMBER_TRAIL).status_code == 200


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("path", ["admin", "stream"])
def test_the_trail_export_escapes_formulas(client, second_verifier, path, file_format):
    for payload in FORMULA_PAYLOADS:
        member_update(member=MemberFactory(name="Sari"), by=second_verifier, name=payload)
    client.force_login(second_verifier)
    if path == "admin":
        response = client.post(
            reverse("admin:audit_memberchange_export"), admin_export_form(ChangeResource, file_format)
        )
    else:
        response = client.get(reverse("admin:audit_memberchange_stream_export", args=[file_format]))
    assert response.status_code == 200
    rows = read_export(response, file_format)
    edits = [row for row in rows if row["type"] == "~"]
    # Names are stored as they show (groups.names): the tab of "\t=1" is gone, the "=" escaped.
    stored = [typed_text_clean(payload) for payload in FORMULA_PAYLOADS]
    assert {row["object"].split(" (")[0] for row in edits} == {"'" + name for name in stored}
    assert all(row["who"] == second_verifier.username for row in edits)
    assert {row["before_after"] for row in edits} == {f"nama lengkap: Sari → {name}" for name in stored}


def test_the_trail_export_stays_in_scope(client, verifier):
    MemberFactory(name="Warga Bandung")
    MemberFactory(name="Warga Semarang", group=GroupFactory(regency_id="33.74"))
    client.force_login(verifier)
    rows = read_export(client.get(reverse("admin:audit_memberchange_stream_export", args=["csv"])), "csv")
    assert [row["object"].split(" (")[0] for row in rows] == ["Warga Bandung"]


def test_the_trail_export_does_not_query_per_row(client, second_verifier, django_assert_max_num_queries):
    client.force_login(second_verifier)
    url = reverse("admin:audit_memberchange_stream_export", args=["csv"])
    member_update(member=MemberFactory(), by=second_verifier, name="Satu")
    with django_assert_max_num_queries(12) as few:
        assert len(read_export(client.get(url), "csv")) == 2
    for index in range(24):
        member_update(member=MemberFactory(), by=second_verifier, name=f"Nama {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(read_export(client.get(url), "csv")) == 50


def test_the_audit_section_appears_on_the_admin_index(client, verifier):
    client.force_login(verifier)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Jejak audit" in page
    assert str(SchemeChange._meta.verbose_name_plural).capitalize() in page
