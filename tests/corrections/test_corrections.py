"""Corrections with maker–checker (issue 10): after approval a group's bank account and its members'
NIK, name and birth date change only through a proposal that a second officer confirms. Budi (verifikator,
Jawa Barat) proposes; Dewi (verifikator, national) confirms or rejects; nobody decides on their own."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from applications.models import TransitionError
from corrections import services
from corrections.models import Correction
from disbursements import services as disbursements
from disbursements.models import Tranche
from groups.models import Member
from tests.disbursements.conftest import approve, paid_row, result_file  # noqa: F401 - the fixture
from tests.factories import GroupFactory, add_members, make_nik

pytestmark = pytest.mark.django_db
Status = Correction.Status
NEW_NIK = make_nik(birth_date=datetime.date(1985, 3, 9), sex="L", serial=4321)


@pytest.fixture
def funded(approve):  # noqa: F811, ANN001, ANN201
    application = approve(regency_id="32.04")
    add_members(application.group, 3)
    return application.group


def _propose_identity(member: Member, by, **changes):  # noqa: ANN001, ANN003, ANN202
    values = {"nik": member.nik, "name": member.name, "birth_date": member.birth_date, **changes}
    return services.correction_propose_member_identity(member=member, by=by, reason="KTP baru diperiksa.", **values)


def _propose_account(group, by, number="5550001112"):  # noqa: ANN001, ANN202
    return services.correction_propose_bank_account(
        group=group, by=by, bank_id="008", account_number=number, account_holder="KUB Baru", reason="Buku tabungan."
    )


def test_a_confirmed_identity_correction_changes_the_member_and_records_who_and_why(funded, verifier, second_verifier):
    member = funded.members.order_by("pk").first()
    old_nik = member.nik
    correction = _propose_identity(member, verifier, nik=NEW_NIK, name="Siti Aminah")
    member.refresh_from_db()
    assert member.nik == old_nik  # a proposal changes nothing
    assert correction.old_values["nik"] == old_nik and correction.new_values["nik"] == NEW_NIK

    services.correction_confirm(correction=correction, by=second_verifier, note="Cocok dengan KTP.")

    member.refresh_from_db()
    assert (member.nik, member.name) == (NEW_NIK, "Siti Aminah")
    latest = member.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (second_verifier, f"Koreksi #{correction.pk}")
    correction.refresh_from_db()
    assert (correction.status, correction.decided_by) == (Status.CONFIRMED, second_verifier)
    steps = list(correction.status_changes.values_list("from_status", "to_status", "changed_by"))
    assert steps == [("", Status.PROPOSED, verifier.pk), (Status.PROPOSED, Status.CONFIRMED, second_verifier.pk)]


def test_the_maker_cannot_confirm_their_own_correction(funded, verifier):
    correction = _propose_identity(funded.members.first(), verifier, name="Nama Lain")
    with pytest.raises(PermissionDenied, match="sendiri"):
        services.correction_confirm(correction=correction, by=verifier)
    with pytest.raises(PermissionDenied):
        services.correction_reject(correction=correction, by=verifier, note="x")
    assert Correction.objects.get().status == Status.PROPOSED


def test_the_database_refuses_a_decision_by_the_maker(funded, verifier):
    correction = _propose_identity(funded.members.first(), verifier, name="Nama Lain")
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.filter(pk=correction.pk).update(
            status=Status.CONFIRMED, decided_by=verifier, decided_at=correction.proposed_at
        )


def test_a_rejection_needs_a_reason_changes_nothing_and_is_final(funded, verifier, second_verifier):
    member = funded.members.first()
    correction = _propose_identity(member, verifier, name="Nama Lain")
    with pytest.raises(ValidationError):
        services.correction_reject(correction=correction, by=second_verifier, note=" ")
    services.correction_reject(correction=correction, by=second_verifier, note="KTP tidak terbaca.")
    with pytest.raises(TransitionError):
        services.correction_confirm(correction=correction, by=second_verifier)
    member.refresh_from_db()
    assert member.name != "Nama Lain"
    assert Correction.objects.get().status == Status.REJECTED


def test_an_account_change_waits_until_the_groups_batch_is_settled(funded, verifier, second_verifier, finance):
    correction = _propose_account(funded, verifier)
    batch = disbursements.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    with pytest.raises(ValidationError, match="batch pembayaran yang belum"):
        services.correction_confirm(correction=correction, by=second_verifier)
    with pytest.raises(ValidationError, match="batch pembayaran yang belum"):
        _propose_account(funded, second_verifier, number="7770001112")
    funded.refresh_from_db()
    assert funded.account_number != "5550001112"

    from disbursements import bankfiles

    rows = bankfiles.read_bank_results(result_file([paid_row(batch.lines.get())]))
    disbursements.bank_results_import(rows=rows, file_name="hasil.csv", by=finance)
    services.correction_confirm(correction=correction, by=second_verifier)
    funded.refresh_from_db()
    assert funded.account_number == "5550001112"


def test_no_correction_before_approval_nor_outside_the_officers_region(funded, verifier, second_verifier):
    draft_group = GroupFactory(regency_id="32.04")
    add_members(draft_group, 1)
    with pytest.raises(ValidationError, match="sudah disetujui"):
        _propose_identity(draft_group.members.get(), verifier, name="Nama Lain")
    verifier.scope_provinces.set(["33"])
    verifier._region_scope_cache = None
    del verifier._region_scope_cache
    with pytest.raises(PermissionDenied):
        _propose_account(funded, verifier)
    correction = _propose_account(funded, second_verifier)
    with pytest.raises(PermissionDenied):
        services.correction_confirm(correction=correction, by=verifier)


def test_a_nik_used_this_year_by_another_group_is_refused_at_the_proposal(funded, approve, verifier):  # noqa: F811
    other = approve(regency_id="32.04").group
    taken = add_members(other, 1)[0].nik
    with pytest.raises(ValidationError, match="sudah terdaftar"):
        _propose_identity(funded.members.first(), verifier, nik=taken)
    assert not Correction.objects.exists()


def test_the_data_changed_since_the_proposal_is_not_confirmed_blind(funded, verifier, second_verifier):
    correction = _propose_account(funded, verifier)
    type(funded).objects.filter(pk=funded.pk).update(account_holder="Orang Lain")
    with pytest.raises(ValidationError, match="sudah berubah"):
        services.correction_confirm(correction=correction, by=second_verifier)


# --- the admin -----------------------------------------------------------------------------------


def _change_url(obj) -> str:  # noqa: ANN001
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_the_group_page_offers_a_proposal_not_an_edit_of_a_funded_account(client, funded, verifier):
    client.force_login(verifier)
    page = client.get(_change_url(funded)).content.decode()
    propose = reverse("admin:corrections_correction_propose_bank_account", args=[funded.pk])
    assert 'name="account_number"' not in page and 'name="bank"' not in page
    assert propose in page and "Usulkan koreksi rekening" in page
    member = funded.members.first()
    member_page = client.get(_change_url(member)).content.decode()
    assert 'name="nik"' not in member_page
    assert reverse("admin:corrections_correction_propose_member_identity", args=[member.pk]) in member_page


def test_finance_and_the_director_are_offered_no_proposal(client, funded, finance, director):
    for user in (finance, director):
        client.force_login(user)
        page = client.get(_change_url(funded)).content.decode()
        assert "Usulkan koreksi" not in page
        propose = reverse("admin:corrections_correction_propose_bank_account", args=[funded.pk])
        assert client.get(propose).status_code == 403


def test_propose_then_confirm_through_the_admin(client, funded, verifier, second_verifier):
    client.force_login(verifier)
    propose = reverse("admin:corrections_correction_propose_bank_account", args=[funded.pk])
    form = client.get(propose)
    assert form.status_code == 200 and funded.account_number in form.content.decode()
    data = {"bank": "008", "account_number": "5550001112", "account_holder": "KUB Baru", "reason": "Buku baru."}
    response = client.post(propose, data)
    correction = Correction.objects.get()
    assert response.status_code == 302 and response["Location"] == _change_url(correction)

    changelist = reverse("admin:corrections_correction_changelist")
    own = client.post(changelist, {"action": "confirm_selected", "_selected_action": [correction.pk], "confirm": "yes"})
    assert own.status_code == 302
    assert Correction.objects.get().status == Status.PROPOSED  # Budi cannot confirm his own

    client.force_login(second_verifier)
    page = client.post(changelist, {"action": "confirm_selected", "_selected_action": [correction.pk]})
    assert page.status_code == 200 and "5550001112" in page.content.decode()  # the confirmation page
    client.post(changelist, {"action": "confirm_selected", "_selected_action": [correction.pk], "confirm": "yes"})
    funded.refresh_from_db()
    assert funded.account_number == "5550001112"
    assert Correction.objects.get().status == Status.CONFIRMED


def test_bad_input_on_the_proposal_page_is_refused_with_a_message(client, funded, verifier):
    client.force_login(verifier)
    member = funded.members.first()
    propose = reverse("admin:corrections_correction_propose_member_identity", args=[member.pk])
    response = client.post(propose, {"nik": "12ab", "name": "", "birth_date": "kemarin", "reason": ""})
    assert response.status_code == 400
    assert "NIK harus terdiri dari 16 angka" in response.content.decode()
    assert not Correction.objects.exists()
