import datetime

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from applications import services
from applications.integrity import flag_acknowledge, group_checks_recompute
from applications.models import Flag
from applications.tasks import recompute_group_checks, sweep_pending_group_checks
from groups.models import Group
from tests.factories import ApplicationFactory, GroupFactory, MemberFactory, SchemeFactory, add_members, make_nik

pytestmark = pytest.mark.django_db


def _rules(group: Group) -> set[tuple[int | None, str]]:
    return set(group.flags.filter(resolved_at__isnull=True).values_list("member_id", "rule"))


def test_a_clean_group_has_no_flags():
    group = GroupFactory()
    add_members(group, 20)
    assert group_checks_recompute(group=group) == []


def test_a_typed_sex_or_birth_date_that_disagrees_with_the_nik_is_a_warning():
    group = GroupFactory()
    member = MemberFactory(group=group, sex="L", birth_date=datetime.date(1990, 5, 17))
    member.sex, member.birth_date = "P", datetime.date(1990, 5, 18)
    member.save()
    flags = group_checks_recompute(group=group)
    assert {(flag.rule, flag.severity) for flag in flags} == {("nik_sex", "warn"), ("nik_birth_date", "warn")}
    assert "17-05-1990" in next(flag.evidence for flag in flags if flag.rule == "nik_birth_date")


def test_a_nik_issued_in_another_regency_is_a_warning_never_a_block():
    group = GroupFactory(regency_id="32.04")
    member = MemberFactory(group=group, nik=make_nik(district="360101", birth_date=datetime.date(1990, 5, 17), sex="L"))
    flags = group_checks_recompute(group=group)
    assert [(flag.member_id, flag.rule, flag.severity) for flag in flags] == [(member.pk, "nik_region", "warn")]


def test_a_papua_nik_issued_before_the_2022_recode_belongs_to_the_recoded_regency():
    group = GroupFactory(regency_id="93.01", year=2023)  # Merauke, Papua Selatan since 2022
    MemberFactory(group=group, nik=make_nik(district="910101", birth_date=datetime.date(1990, 5, 17), sex="L"))
    assert group_checks_recompute(group=group) == []


def test_an_age_outside_the_schemes_window_blocks():
    group = GroupFactory()
    too_old = MemberFactory(group=group, birth_date=datetime.date(1950, 1, 1))
    ApplicationFactory(group=group, scheme=SchemeFactory(age_max=55))
    flags = group_checks_recompute(group=group)
    assert [(flag.member_id, flag.rule, flag.severity) for flag in flags] == [(too_old.pk, "age", "block")]


def test_one_bank_account_on_two_groups_of_a_year_blocks_both():
    first = GroupFactory(account_number="123456789012")
    second = GroupFactory(account_number="123456789012", village="Bojongsoang")
    GroupFactory(account_number="123456789012", year=2021)  # another year: not a duplicate
    assert _rules(first) == set()
    group_checks_recompute(group=first)
    group_checks_recompute(group=second)
    assert _rules(first) == {(None, "shared_bank_account")}
    assert second.code in first.flags.get().evidence


def test_one_bank_account_on_two_groups_of_one_village_is_also_a_cluster_to_review():
    first = GroupFactory(account_number="123456789012")
    second = GroupFactory(account_number="123456789012", village="DESA Dayeuhkolot")
    assert {(flag.rule, flag.severity) for flag in group_checks_recompute(group=first)} == {
        ("shared_bank_account", "block"),
        ("cluster_bank_account", "review"),
    }
    assert second.code in first.flags.get(rule="cluster_bank_account").evidence


def test_running_the_checks_twice_changes_nothing():
    group = GroupFactory()
    member = MemberFactory(group=group)
    member.sex = "P"
    member.save()
    group_checks_recompute(group=group)
    before = list(Flag.objects.values_list("pk", "rule", "evidence", "resolved_at"))
    group_checks_recompute(group=group)
    assert list(Flag.objects.values_list("pk", "rule", "evidence", "resolved_at")) == before


def test_a_flag_resolves_itself_when_the_data_is_fixed():
    group = GroupFactory()
    member = MemberFactory(group=group)
    member.sex = "P"
    member.save()
    group_checks_recompute(group=group)
    member.sex = "L"
    member.save()
    assert group_checks_recompute(group=group) == []
    flag = Flag.objects.get()
    assert flag.resolved_at is not None and flag.cleared_by is None


def test_an_acknowledged_warning_stays_quiet_while_its_evidence_is_unchanged(verifier):
    group = GroupFactory()
    member = MemberFactory(group=group)
    member.sex = "P"
    member.save()
    flag = group_checks_recompute(group=group)[0]
    flag_acknowledge(flag=flag, by=verifier, note="KTP dicek: memang perempuan.")
    assert group_checks_recompute(group=group) == []


def test_the_task_clears_the_groups_pending_mark():
    group = GroupFactory()
    Group.objects.filter(pk=group.pk).update(checks_requested_at=timezone.now())
    recompute_group_checks.delay(group.pk)
    group.refresh_from_db()
    assert group.checks_requested_at is None
    assert group.checks_completed_at is not None


def test_a_task_for_a_deleted_group_does_nothing():
    assert recompute_group_checks.delay(987654).get() == 0


def test_a_broker_outage_at_enqueue_keeps_the_commit_and_leaves_the_work_pending(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    group = GroupFactory()

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(recompute_group_checks, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.group_checks_request(group=group)
    group.refresh_from_db()
    assert group.checks_requested_at is not None  # committed, still pending
    assert "pending-work sweep will retry" in caplog.text


def test_the_sweep_enqueues_committed_work_that_never_reached_a_worker(django_capture_on_commit_callbacks):
    stale, fresh = GroupFactory(), GroupFactory()
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    Group.objects.filter(pk=stale.pk).update(checks_requested_at=long_ago)
    Group.objects.filter(pk=fresh.pk).update(checks_requested_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_pending_group_checks.delay().get() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.checks_requested_at is None  # ran
    assert fresh.checks_requested_at is not None  # still inside its grace period: left alone


def test_a_status_email_lost_with_the_broker_is_sent_by_the_sweep(
    monkeypatch, django_capture_on_commit_callbacks, applicant, verifier
):
    from django.core import mail

    from applications.models import ApplicationStatusChange
    from applications.tasks import send_status_email, sweep_pending_status_emails

    application = ApplicationFactory(group=GroupFactory(user=applicant), status="submitted")

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(send_status_email, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            services.application_request_revision(
                application=application, by=verifier, reason_code="dokumen", note="Foto KTP buram."
            )
    change = ApplicationStatusChange.objects.get(to_status="revision_requested")
    assert change.notification_due and not mail.outbox  # committed, e-mail still owed

    ApplicationStatusChange.objects.filter(pk=change.pk).update(changed_at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_pending_status_emails.delay().get() == 1
    change.refresh_from_db()
    assert [message.to for message in mail.outbox] == [[applicant.email]]
    assert not change.notification_due and change.notified_at is not None
    assert send_status_email.delay(change.pk).get() is False  # a late duplicate sends nothing
    assert len(mail.outbox) == 1
