import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from applications import services
from applications.integrity import flag_acknowledge, group_checks_recompute, open_flags_by_member
from applications.models import Flag
from applications.tasks import recompute_group_checks, sweep_pending_group_checks
from groups.models import Group
from jps_portal.celery import broker_breaker
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    MemberFactory,
    SchemeFactory,
    UserFactory,
    add_members,
    make_nik,
)

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
                application=application, by=verifier, reason_codes=["dokumen_tidak_terbaca"], note="Foto KTP buram."
            )
    change = ApplicationStatusChange.objects.get(to_status="revision_requested")
    assert change.notification_due and not mail.outbox  # committed, e-mail still owed

    ApplicationStatusChange.objects.filter(pk=change.pk).update(changed_at=timezone.now() - datetime.timedelta(hours=1))
    broker_breaker().reset()  # the sweep runs in a worker, whose breaker saw no outage
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_pending_status_emails.delay().get() == 1
    change.refresh_from_db()
    assert [message.to for message in mail.outbox] == [[applicant.email]]
    assert not change.notification_due and change.notified_at is not None
    assert send_status_email.delay(change.pk).get() is False  # a late duplicate sends nothing
    assert len(mail.outbox) == 1


# --- account holder name -------------------------------------------------------------------------------


def _with_ketua(group: Group, **fields) -> Group:
    MemberFactory(group=group, role="ketua", **fields)
    return group


def test_an_account_held_in_the_ketuas_name_with_titles_is_not_flagged():
    group = _with_ketua(
        GroupFactory(name="Kelompok Tani Makmur", account_holder="BPK. H. AHMAD FAUZI, S.Pd"), name="Ahmad Fauzi"
    )
    assert group_checks_recompute(group=group) == []


def test_an_account_held_in_the_groups_name_spelled_differently_is_not_flagged():
    group = _with_ketua(GroupFactory(name="Kelompok Tani Makmur", account_holder="KLP TANI MAKMUR"), name="Ahmad Fauzi")
    assert group_checks_recompute(group=group) == []


def test_an_account_held_by_someone_else_is_a_warning_naming_the_names_compared():
    group = _with_ketua(GroupFactory(name="Kelompok Tani Makmur", account_holder="Joko Susilo"), name="Ahmad Fauzi")
    flags = group_checks_recompute(group=group)
    assert [(flag.member_id, flag.rule, flag.severity) for flag in flags] == [(None, "account_holder_name", "warn")]
    assert all(name in flags[0].evidence for name in ("Joko Susilo", "Kelompok Tani Makmur", "Ahmad Fauzi"))


def test_a_group_without_a_bank_account_has_no_holder_to_compare():
    group = GroupFactory(bank_id=None, account_number="", account_holder="")
    assert group_checks_recompute(group=group) == []


# --- clusters in one village ---------------------------------------------------------------------------


def _open(group: Group) -> dict[str, Flag]:
    return {flag.rule: flag for flag in group.flags.filter(resolved_at__isnull=True)}


def test_groups_of_one_village_sharing_a_phone_are_a_cluster_to_review():
    first = GroupFactory(phone="081299990000", village="Sukamaju")
    second = GroupFactory(phone="081299990000", village="DESA SUKAMAJU")
    third = GroupFactory(phone="081299990000", village="Ds. Suka Maju")  # another spelling: another village
    group_checks_recompute(group=first)
    flag = _open(first)["cluster_phone"]
    assert flag.severity == "review"
    assert second.code in flag.evidence and third.code not in flag.evidence


def test_groups_sharing_an_address_spelled_differently_are_a_cluster():
    first = GroupFactory(address="Jl. Merdeka No. 1, RT 02/RW 03")
    second = GroupFactory(address="JL MERDEKA NO 1 RT 02 RW 03")
    group_checks_recompute(group=first)
    assert second.code in _open(first)["cluster_address"].evidence


def test_the_same_ketua_by_name_and_birth_date_leading_two_groups_is_a_cluster():
    born = datetime.date(1975, 3, 4)
    first = _with_ketua(GroupFactory(), name="Bpk. Ahmad Fauzi", birth_date=born)
    second = _with_ketua(GroupFactory(), name="AHMAD FAUZI, S.Pd", birth_date=born)
    _with_ketua(GroupFactory(), name="Ahmad Fauzi", birth_date=datetime.date(1980, 1, 1))  # a namesake
    group_checks_recompute(group=first)
    assert _open(first)["cluster_leader"].evidence.endswith(f": {second.code}.")


def test_the_same_ketua_phone_on_two_groups_is_a_cluster():
    first = _with_ketua(GroupFactory(), phone="085711112222")
    second = _with_ketua(GroupFactory(), phone="085711112222")
    group_checks_recompute(group=first)
    assert second.code in _open(first)["cluster_leader"].evidence


def test_groups_in_another_village_regency_or_year_are_not_a_cluster():
    first = GroupFactory(phone="081299990000")
    GroupFactory(phone="081299990000", village="Bojongsoang")
    GroupFactory(phone="081299990000", regency_id="32.73")
    GroupFactory(phone="081299990000", year=2021)
    assert group_checks_recompute(group=first) == []


def test_cluster_evidence_names_at_most_ten_other_groups():
    first = GroupFactory(phone="081299990000")
    others = [GroupFactory(phone="081299990000") for _ in range(12)]
    group_checks_recompute(group=first)
    evidence = _open(first)["cluster_phone"].evidence
    assert sum(other.code in evidence for other in others) == 10
    assert "dan 2 lainnya" in evidence


@pytest.mark.parametrize("neighbours", [2, 40])
def test_the_rules_do_a_fixed_number_of_queries_whatever_the_number_of_groups(neighbours, django_assert_num_queries):
    group = GroupFactory(phone="081299990000")
    add_members(group, 20)
    for index in range(neighbours):
        _with_ketua(GroupFactory(phone="081299990000" if index % 2 else ""), phone=f"0857{index:08d}")
        GroupFactory(regency_id="32.73")  # another regency's groups are never read
    # Reads: live scheme, recodes, members, shared account, the regency's groups of the year, their
    # ketua. Writes: savepoint, lock, open flags, acknowledged flags, insert, release; the result.
    with django_assert_num_queries(13):
        flags = group_checks_recompute(group=group)
    assert [flag.rule for flag in flags] == ["cluster_phone"]


def test_open_flags_by_member_reads_them_in_one_query(django_assert_num_queries):
    group = GroupFactory(account_holder="Joko Susilo")
    member = MemberFactory(group=group)
    member.sex = "P"
    member.save()
    group_checks_recompute(group=group)
    with django_assert_num_queries(1):
        by_member = open_flags_by_member(group)
    assert {key: [flag.rule for flag in flags] for key, flags in by_member.items()} == {
        None: ["account_holder_name"],
        member.pk: ["nik_sex"],
    }


# --- acknowledging a flag ------------------------------------------------------------------------------


def _warned_group(**fields) -> tuple[Group, Flag]:
    group = GroupFactory(account_holder="Joko Susilo", **fields)
    return group, group_checks_recompute(group=group)[0]


def test_an_officer_acknowledges_a_warning_with_a_note_and_the_history_says_who(verifier):
    _group, flag = _warned_group()
    flag_acknowledge(flag=flag, by=verifier, note="  Rekening atas nama bendahara, sudah dicek.  ")
    flag.refresh_from_db()
    assert (flag.cleared_by, flag.clear_note) == (verifier, "Rekening atas nama bendahara, sudah dicek.")
    assert flag.cleared_at is not None and flag.resolved_at == flag.cleared_at
    assert flag.history.first().history_user == verifier


def test_an_acknowledgement_without_a_note_is_refused_and_changes_nothing(verifier):
    _group, flag = _warned_group()
    with pytest.raises(ValidationError, match="catatan"):
        flag_acknowledge(flag=flag, by=verifier, note="   ")
    flag.refresh_from_db()
    assert flag.resolved_at is None and flag.cleared_by is None


def test_a_block_cannot_be_acknowledged_by_hand(verifier):
    group = GroupFactory(account_number="123456789012")
    GroupFactory(account_number="123456789012", village="Bojongsoang")
    flag = group_checks_recompute(group=group)[0]
    assert flag.severity == "block"
    with pytest.raises(ValidationError, match="perbaiki datanya"):
        flag_acknowledge(flag=flag, by=verifier, note="Sudah dicek.")
    flag.refresh_from_db()
    assert flag.resolved_at is None and not flag.history.exists()


def test_an_officer_cannot_acknowledge_a_flag_outside_their_region(verifier, second_verifier):
    _group, flag = _warned_group(regency_id="33.01")  # Jawa Tengah; Budi works in Jawa Barat
    with pytest.raises(ValidationError, match="wilayah"):
        flag_acknowledge(flag=flag, by=verifier, note="Sudah dicek.")
    flag_acknowledge(flag=flag, by=second_verifier, note="Sudah dicek.")  # national scope
    with pytest.raises(ValidationError, match="sudah selesai"):
        flag_acknowledge(flag=flag, by=second_verifier, note="Lagi.")


def test_the_database_refuses_an_acknowledged_block():
    group, flag = _warned_group()
    flag.severity, flag.cleared_by, flag.cleared_at = "block", UserFactory(), timezone.now()
    flag.resolved_at, flag.clear_note = flag.cleared_at, "x"
    with pytest.raises(IntegrityError), transaction.atomic():
        flag.save()


# --- pending checks ------------------------------------------------------------------------------------


def test_a_submitted_group_is_pending_until_its_checks_ran():
    group = GroupFactory()
    services.group_checks_request(group=group)
    assert services.group_checks_pending(group)
    services.group_checks_run(group_id=group.pk)
    assert not services.group_checks_pending(group)


def test_the_nightly_recheck_of_a_checked_group_is_not_pending_but_a_never_checked_group_is():
    checked, never_checked = GroupFactory(), GroupFactory()
    services.group_checks_request(group=checked)
    services.group_checks_run(group_id=checked.pk)
    assert services.all_groups_checks_request() == 2
    assert not services.group_checks_pending(checked)
    assert services.group_checks_pending(never_checked)
    assert set(services.pending_group_checks_sweep(older_than=datetime.timedelta(0))) == {checked.pk, never_checked.pk}
