"""Officers review integrity flags in the admin, and open flags or unfinished checks hold up decisions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from applications import services
from applications.integrity import flag_acknowledge, group_checks_recompute
from applications.models import Application, Flag, TransitionError
from groups.models import Group
from tests.factories import ApplicationFactory, GroupFactory, SchemeQuotaFactory, add_members

pytestmark = pytest.mark.django_db
Status = Application.Status
CHANGELIST = reverse("admin:applications_flag_changelist")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _warned_group(**fields) -> tuple[Group, Flag]:
    """A group whose account is held by someone unlike the group and its ketua: one warning."""
    group = GroupFactory(account_holder="Joko Susilo", **fields)
    add_members(group, 3)
    group_checks_recompute(group=group)
    return group, group.flags.get(rule="account_holder_name")


def _blocked_group() -> tuple[Group, Flag]:
    group = GroupFactory(account_number="123456789012")
    GroupFactory(account_number="123456789012", village="Bojongsoang")
    return group, group_checks_recompute(group=group)[0]


def _link(flag: Flag) -> str:
    return reverse("admin:applications_flag_change", args=[flag.pk])


def _act(client: Client, flags: list[Flag], **extra):
    data = {"action": "acknowledge_selected", ACTION_CHECKBOX_NAME: [flag.pk for flag in flags], **extra}
    return client.post(CHANGELIST, data)


# --- the admin ----------------------------------------------------------------------------------------


def test_the_action_first_asks_for_a_note_on_a_confirmation_page_and_changes_nothing(verifier):
    _group, flag = _warned_group()
    response = _act(_client(verifier), [flag])
    assert response.status_code == 200
    assert "Catatan" in response.content.decode()
    assert "Joko Susilo" in response.content.decode()  # the evidence, shown before confirming
    flag.refresh_from_db()
    assert flag.resolved_at is None


def test_confirming_without_a_note_shows_the_page_again_and_changes_nothing(verifier):
    _group, flag = _warned_group()
    response = _act(_client(verifier), [flag], confirm="yes", note="   ")
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    flag.refresh_from_db()
    assert flag.resolved_at is None


def test_confirming_with_a_note_acknowledges_and_reports_each_refusal(verifier):
    _group, warning = _warned_group()
    blocked_group, block = _blocked_group()
    response = _act(_client(verifier), [warning, block], confirm="yes", note="Rekening atas nama bendahara.")
    assert response.status_code == 302
    warning.refresh_from_db()
    block.refresh_from_db()
    assert (warning.cleared_by, warning.clear_note) == (verifier, "Rekening atas nama bendahara.")
    assert block.resolved_at is None
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(blocked_group.code in text and "perbaiki datanya" in text for text in texts)
    assert "1 temuan diakui." in texts


def test_an_officer_neither_sees_nor_acknowledges_flags_outside_their_region(verifier):
    _group, outside = _warned_group(regency_id="33.01")
    client = _client(verifier)
    _inside_group, inside = _warned_group()
    page = client.get(CHANGELIST, follow=True).content.decode()  # opens on the open findings
    assert _link(inside) in page and _link(outside) not in page
    _act(client, [outside], confirm="yes", note="Sudah dicek.")
    outside.refresh_from_db()
    assert outside.resolved_at is None


def test_the_list_filters_by_state_rule_severity_and_province(verifier, second_verifier):
    _group, warning = _warned_group()
    _blocked, block = _blocked_group()
    _other, elsewhere = _warned_group(regency_id="33.01")
    flag_acknowledge(flag=warning, by=verifier, note="Sudah dicek.")
    client = _client(second_verifier)

    def listed(**filters) -> set[Flag]:
        page = client.get(CHANGELIST, {"keadaan": "semua", **filters}).content.decode()
        return {flag for flag in (warning, block, elsewhere) if _link(flag) in page}

    assert listed() == {warning, block, elsewhere}
    opened = client.get(CHANGELIST, follow=True).content.decode()  # a bare list opens on the open ones
    assert {flag for flag in (warning, block, elsewhere) if _link(flag) in opened} == {block, elsewhere}
    assert listed(keadaan="terbuka") == {block, elsewhere}
    assert listed(keadaan="diakui") == {warning}
    assert listed(rule="account_holder_name", severity="warn") == {warning, elsewhere}
    assert listed(group__regency__province__code__exact="33") == {elsewhere}


def test_a_flag_is_read_only_and_cannot_be_deleted_in_the_admin(verifier):
    _group, flag = _warned_group()
    client = _client(verifier)
    url = reverse("admin:applications_flag_change", args=[flag.pk])
    client.post(url, {"evidence": "diubah", "severity": "block"})
    flag.refresh_from_db()
    assert (flag.evidence, flag.severity) != ("diubah", "block")
    assert client.get(reverse("admin:applications_flag_delete", args=[flag.pk])).status_code == 403


def test_the_flags_history_page_shows_who_acknowledged_it(verifier):
    _group, flag = _warned_group()
    flag_acknowledge(flag=flag, by=verifier, note="Sudah dicek.")
    page = _client(verifier).get(reverse("admin:applications_flag_history", args=[flag.pk])).content.decode()
    assert "budi" in page


# --- decisions wait for flags and checks ----------------------------------------------------------------


def _submitted(group: Group, *, checked: bool = True) -> Application:
    application = ApplicationFactory(group=group, status=Status.SUBMITTED)
    services.group_checks_request(group=group)
    if checked:
        services.group_checks_run(group_id=group.pk)
    return application


def test_an_unacknowledged_warning_stops_verification_with_the_count_and_rules(verifier):
    group, _flag = _warned_group()
    application = _submitted(group)
    with pytest.raises(TransitionError) as refused:
        services.application_verify(application=application, by=verifier)
    assert "1 temuan terbuka" in str(refused.value)
    assert "Nama pemilik rekening tidak mirip" in str(refused.value)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_once_acknowledged_the_application_is_verified_and_approved(verifier, approver):
    group, flag = _warned_group()
    application = _submitted(group)
    flag_acknowledge(flag=flag, by=verifier, note="Rekening atas nama bendahara.")
    services.group_checks_run(group_id=group.pk)  # the nightly re-run keeps it quiet
    services.application_verify(application=application, by=verifier)
    SchemeQuotaFactory(scheme=application.scheme)
    services.application_approve(application=application, by=approver)
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_a_warning_raised_after_verification_stops_approval(verifier, approver):
    group = GroupFactory()
    add_members(group, 3)
    application = _submitted(group)
    services.application_verify(application=application, by=verifier)
    Group.objects.filter(pk=group.pk).update(account_holder="Joko Susilo")
    services.group_checks_request(group=group)
    services.group_checks_run(group_id=group.pk)
    SchemeQuotaFactory(scheme=application.scheme)
    with pytest.raises(TransitionError, match="temuan terbuka"):
        services.application_approve(application=application, by=approver)


def test_approval_waits_for_checks_still_running(verifier, approver):
    group = GroupFactory()
    add_members(group, 3)
    application = _submitted(group, checked=False)
    services.application_verify(application=application, by=verifier)  # the verifier may go ahead
    SchemeQuotaFactory(scheme=application.scheme)
    with pytest.raises(TransitionError, match="Pemeriksaan otomatis belum selesai"):
        services.application_approve(application=application, by=approver)
    services.group_checks_run(group_id=group.pk)
    services.application_approve(application=application, by=approver)
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_the_nightly_recheck_does_not_hold_up_approval(verifier, approver):
    group = GroupFactory()
    add_members(group, 3)
    application = _submitted(group)
    services.application_verify(application=application, by=verifier)
    assert services.all_groups_checks_request() >= 1
    SchemeQuotaFactory(scheme=application.scheme)
    services.application_approve(application=application, by=approver)
    application.refresh_from_db()
    assert application.status == Status.APPROVED
