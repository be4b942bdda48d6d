"""The deterministic demo dataset: the 2020 launch exactly as the news reported it, valid and
consistent NIKs, a status history that the transition table allows, and one login per role."""

import datetime
import hashlib
import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from applications.demo_data import (
    _DATE_BANDS,
    _DATE_CLASSES,
    AGE_REFERENCE_DAY,
    JAKARTA,
    LATEST_BIRTH,
    POPULATION_2020,
    SHOWCASE_GROUP_CODE,
    Generator,
    RegionCatalogue,
    SchemeTerms,
    allocate_by_population,
    launch_slots,
    member_nik_slot,
    national_slots,
)
from applications.models import (
    REFERENCE_CODES,
    Application,
    ApplicationStatusChange,
    Programme,
    ReferenceCounter,
    SchemeQuota,
)
from applications.services import reference_next, submission_problems
from groups.models import PHONE_PATTERN, Group, Member
from groups.nik import check_nik
from regions.models import District, Province
from regions.services import known_nik_prefixes

LAUNCH = {"36": 61, "32": 304, "33": 250, "35": 328, "18": 37, "34": 20}
OFFICERS_THEN_ANGGOTA = ("ketua", "sekretaris", "bendahara", "anggota")
LAUNCH_DECIDED_BEFORE = datetime.datetime(2020, 10, 3, tzinfo=JAKARTA)  # the launch in Tasikmalaya
Status = Application.Status


@pytest.fixture(scope="class")
def launch_output(django_db_setup, django_db_blocker):
    """``seed_demo`` run once for the whole class (a few seconds on SQLite), rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", stdout=out, verbosity=1)
        connection.check_constraints()  # deferred foreign keys too, which a rolled-back build never commits
        yield out.getvalue()
        transaction.set_rollback(True)


def age_on(day: datetime.date, born: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@pytest.mark.django_db
@pytest.mark.usefixtures("launch_output")
class TestLaunchDataset:
    def test_it_has_the_province_counts_of_the_news_article(self):
        counts = dict(Group.objects.filter(year=2020).values_list("regency__province_id").annotate(n=Count("pk")))

        assert counts == LAUNCH
        assert sum(counts.values()) == 1_000

    def test_every_group_has_twenty_members_and_exactly_one_of_each_officer(self):
        roles = Counter(Member.objects.filter(year=2020).values_list("group_id", "role"))

        assert set(Member.objects.filter(year=2020).values_list("group_id", flat=True)) == set(
            Group.objects.filter(year=2020).values_list("pk", flat=True)
        )
        for group_id in Group.objects.filter(year=2020).values_list("pk", flat=True):
            assert [roles[(group_id, role)] for role in OFFICERS_THEN_ANGGOTA] == [1, 1, 1, 17]
        assert set(Member.objects.filter(year=2020).values_list("year", flat=True)) == {2020}

    def test_every_nik_is_valid_unique_and_says_what_the_member_record_says(self):
        prefixes = known_nik_prefixes()
        districts_2020 = set(District.objects.in_2020().values_list("code", flat=True))
        rows = list(Member.objects.filter(year=2020).values_list("nik", "sex", "birth_date", "group__regency_id"))
        problems = []
        for nik, sex, birth_date, regency in rows:
            check = check_nik(nik, known_prefixes=prefixes)
            if not check.is_valid or (check.sex, check.birth_date) != (sex, birth_date):
                problems.append((nik, check.errors, sex, birth_date))
            if nik[:4] != regency.replace(".", "") or f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}" not in districts_2020:
                problems.append((nik, "district not in the group's 2020 regency", regency))

        assert problems == []
        assert len({nik for nik, *_rest in rows}) == len(rows) == 20_000

    def test_members_are_of_working_age_with_names_as_indonesians_write_them(self):
        members = list(
            Member.objects.filter(year=2020).values_list("name", "sex", "birth_date", "phone", "has_disability")
        )
        ages = {age_on(AGE_REFERENCE_DAY, born) for _n, _s, born, _p, _d in members}
        names = [name for name, *_rest in members]
        women = sum(sex == "P" for _n, sex, *_rest in members) / len(members)

        assert min(ages) >= 18 and max(ages) <= 54
        assert any(" " not in name for name in names)  # many Indonesians have one name
        assert any("'" in name for name in names)  # Ma'ruf, Ni'mah
        assert 0.40 < women < 0.50
        assert 0 < sum(d for *_rest, d in members) < 0.06 * len(members)
        assert all(re.fullmatch(PHONE_PATTERN, phone) for *_rest, phone, _d in members if phone)

    def test_each_group_has_its_own_bank_account_in_the_groups_name(self):
        groups = list(
            Group.objects.filter(year=2020).values_list("name", "bank_id", "account_number", "account_holder", "phone")
        )
        numbers = [number for _n, _b, number, _h, _p in groups]

        assert all(re.fullmatch(r"[0-9]{15}", number) for number in numbers)
        assert len(set(numbers)) == len(numbers)
        assert all(holder == name for name, _b, _n, holder, _p in groups)
        assert Counter(bank for _n, bank, *_rest in groups)["002"] > 0.8 * len(groups)
        assert all(re.fullmatch(PHONE_PATTERN, phone) for *_rest, phone in groups)

    def test_groups_sit_in_2020_regencies_and_carry_demo_codes(self):
        rows = Group.objects.filter(year=2020).values_list("code", "regency__province_id", "regency__in_2020", "year")

        for code, province, in_2020, year in rows:
            assert re.fullmatch(rf"DEMO-2020-{province}-[0-9]{{4}}", code)
            assert in_2020 and year == 2020

    def test_references_are_numbered_per_programme_and_province_and_counters_keep_step(self):
        numbers: dict[tuple[str, str], list[int]] = {}
        for reference, programme, province in Application.objects.filter(scheme__year=2020).values_list(
            "reference", "scheme__programme", "province_id"
        ):
            prefix = f"JPS-2020-{REFERENCE_CODES[programme]}-{province}-"
            assert reference.startswith(prefix) and len(reference) == len(prefix) + 6
            numbers.setdefault((programme, province), []).append(int(reference[-6:]))
        counters = {(c.programme, c.province_id): c.last_number for c in ReferenceCounter.objects.filter(year=2020)}

        assert {key: sorted(used) for key, used in numbers.items()} == {
            key: list(range(1, len(used) + 1)) for key, used in numbers.items()
        }
        assert counters == {key: len(used) for key, used in numbers.items()}
        assert reference_next(year=2020, programme="TKM", province_id="32").endswith(
            f"-{counters[('TKM', '32')] + 1:06d}"
        )

    def test_the_programmes_are_mixed_with_about_two_thirds_tkm(self):
        programmes = Counter(Application.objects.filter(scheme__year=2020).values_list("scheme__programme", flat=True))

        assert set(programmes) == set(Programme.values)
        assert 0.55 < programmes[Programme.TKM] / 1_000 < 0.75

    def test_statuses_leave_work_for_officers_and_match_the_history(self):
        statuses = Counter(Application.objects.filter(scheme__year=2020).values_list("status", flat=True))
        changes: dict[int, list[ApplicationStatusChange]] = {}
        for change in ApplicationStatusChange.objects.order_by("changed_at", "pk"):
            changes.setdefault(change.application_id, []).append(change)

        assert statuses[Status.DRAFT] == 1
        assert 500 < statuses[Status.SUBMITTED] < 700
        assert 100 < statuses[Status.VERIFIED] < 200
        assert 150 < statuses[Status.APPROVED] < 250
        assert 20 < statuses[Status.REVISION_REQUESTED] < 80
        for application in Application.objects.filter(scheme__year=2020).all():
            history = changes[application.pk]
            assert [c.from_status for c in history] == ["", *[c.to_status for c in history[:-1]]]
            assert history[0].to_status == Status.DRAFT and history[-1].to_status == application.status
            assert all(c.to_status in Application.TRANSITIONS[c.from_status] for c in history[1:])
            times = [c.changed_at for c in history]
            assert times == sorted(set(times))
            assert all(8 <= t.astimezone(JAKARTA).hour < 16 for t in times)
            assert datetime.date(2020, 6, 1) <= times[0].date() and times[-1] < LAUNCH_DECIDED_BEFORE
            submitted = [c.changed_at for c in history if c.to_status == Status.SUBMITTED]
            assert application.submitted_at == (submitted[0] if submitted else None)
            assert all(c.reason_code and c.note for c in history if c.to_status == Status.REVISION_REQUESTED)

    def test_approved_applications_have_an_amount_and_a_decision_time(self):
        for application in Application.objects.filter(scheme__year=2020).filter(status=Status.APPROVED):
            approval = application.status_changes.get(to_status=Status.APPROVED)
            assert application.approved_amount == application.requested_amount == 40_000_000
            assert application.decided_at == approval.changed_at
        assert (
            not Application.objects.filter(scheme__year=2020)
            .exclude(status=Status.APPROVED)
            .filter(decided_at__isnull=False)
            .exists()
        )

    def test_proposals_are_filled_in_per_programme(self):
        for application in Application.objects.filter(scheme__year=2020).select_related("scheme"):
            if application.scheme.programme == Programme.TKM:
                assert application.business_type and application.business_plan
                assert application.equipment_budget + application.materials_budget == application.requested_amount
            else:
                assert application.work_site and application.work_plan and application.planned_days == 15
                assert application.workers_ketua + application.workers_tukang + application.workers_pekerja == 20

    def test_quotas_leave_room_for_every_generated_group(self):
        generated = Counter(Application.objects.filter(scheme__year=2020).values_list("scheme_id", "province_id"))
        quotas = {
            (q.scheme_id, q.province_id): q
            for q in SchemeQuota.objects.filter(scheme__year=2020).select_related("scheme")
        }

        assert set(quotas) == set(generated)
        for key, count in generated.items():
            assert quotas[key].groups > count
            assert quotas[key].budget == quotas[key].groups * quotas[key].scheme.amount_per_group

    def test_the_command_prints_one_login_per_role(self, launch_output):
        for username in ("admin", "kelompok", "verifikator", "ppk", "bendahara", "direktur"):
            assert re.search(rf"^\s+{username}\s+{username}-demo\s", launch_output, re.MULTILINE)
            assert get_user_model().objects.get(username=username).check_password(f"{username}-demo")

    def test_the_kelompok_login_owns_a_group_of_this_year_with_a_draft_it_can_finish(self):
        group = Group.objects.get(user__username="kelompok")
        application = group.applications.get()

        assert group.year == timezone.localdate().year and group.regency.province_id == "32"
        assert application.status == Status.DRAFT
        assert application.scheme.opens_on <= timezone.localdate() <= application.scheme.closes_on
        # Only the documents are missing: uploading them is what the demo ketua has left to do.
        assert all(problem.startswith("Dokumen belum diunggah") for problem in submission_problems(application))

    def test_the_launch_showcase_group_stays_a_draft_without_an_owner(self):
        group = Group.objects.get(code=SHOWCASE_GROUP_CODE)

        assert group.user is None and group.applications.get().status == Status.DRAFT

    def test_officers_are_staff_in_their_role_group_and_the_verifier_sees_jawa_barat(self):
        users = get_user_model().objects.prefetch_related("groups", "scope_provinces")
        verifier = users.get(username="verifikator")

        assert list(verifier.scope_provinces.values_list("code", flat=True)) == ["32"]
        for username in ("verifikator", "ppk", "bendahara", "direktur"):
            user = users.get(username=username)
            assert user.is_staff and not user.is_superuser
            assert [g.name for g in user.groups.all()] == [username]
        assert users.get(username="admin").is_superuser
        assert not users.get(username="kelompok").is_staff

    def test_running_it_again_says_so_and_changes_nothing(self):
        before = (Group.objects.count(), Member.objects.count(), get_user_model().objects.count())
        out = io.StringIO()

        call_command("seed_demo", stdout=out)

        assert "already present" in out.getvalue()
        assert "already existed; password not changed" in out.getvalue()
        assert (Group.objects.count(), Member.objects.count(), get_user_model().objects.count()) == before


@pytest.mark.django_db
def test_a_small_national_run_covers_every_province_through_the_bulk_path():
    out = io.StringIO()

    call_command("seed_demo", "--scale", "national", "--groups", "40", "--no-users", stdout=out, verbosity=0)

    provinces = dict(Group.objects.values_list("regency__province_id").annotate(n=Count("pk")))
    assert Group.objects.count() == 1_040 and Application.objects.count() == 1_040
    assert set(provinces) == set(Province.objects.in_2020().values_list("code", flat=True))
    national = allocate_by_population(40)
    assert provinces == {code: LAUNCH.get(code, 0) + national[code] for code in POPULATION_2020}
    assert Member.objects.aggregate(n=Count("nik", distinct=True))["n"] == Member.objects.count() == 20_800
    assert Member.history.count() == 0  # bulk_create on SQLite, COPY on PostgreSQL: no save(), no history rows
    assert Group.objects.filter(code="DEMO-2020-32-0305").exists()  # national numbers follow the launch ones
    assert ReferenceCounter.objects.aggregate(n=Max("last_number"))["n"] > 0
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_and_another_seed_does_not():
    def fingerprint(seed: int) -> str:
        generator = Generator(seed=seed, schemes=fake_schemes(), regions=RegionCatalogue.load())
        digest = hashlib.sha256()
        for slot in launch_slots():
            bundle = generator.group(slot)
            digest.update(repr((bundle.group, bundle.members, bundle.application, bundle.status_changes)).encode())
        return digest.hexdigest()

    assert fingerprint(2020) == fingerprint(2020)
    assert fingerprint(2020) != fingerprint(2021)


def fake_schemes() -> dict[str, SchemeTerms]:
    return {
        programme: SchemeTerms(id=n, programme=programme, amount=40_000_000, members_min=20, members_max=20,
                               duration_days=15)
        for n, programme in enumerate(Programme.values, start=1)
    }  # fmt: skip


def test_nik_slots_never_repeat_a_birth_date_and_serial():
    # Everything a national run of 51,000 groups uses, and then some.
    pairs = {member_nik_slot(index) for index in range(1_100_000)}

    assert len(pairs) == 1_100_000
    assert all(1 <= serial <= 9_999 for serial, _q in pairs)


def test_nik_birth_dates_stay_inside_the_age_window():
    oldest = LATEST_BIRTH - datetime.timedelta(days=_DATE_CLASSES - 1 + _DATE_CLASSES * (_DATE_BANDS - 1))

    assert age_on(AGE_REFERENCE_DAY, LATEST_BIRTH) == 18
    assert age_on(AGE_REFERENCE_DAY, oldest) == 54


@pytest.mark.django_db
def test_national_groups_are_spread_over_every_2020_province_by_population():
    counts = allocate_by_population(50_000)

    assert set(counts) == set(Province.objects.in_2020().values_list("code", flat=True))
    assert sum(counts.values()) == 50_000
    assert min(counts.values()) >= 1
    assert max(counts, key=counts.get) == "32"  # Jawa Barat, the most populous


def test_national_slots_continue_each_provinces_numbering_after_the_launch():
    launch = launch_slots()
    national = list(national_slots(100, after=launch))

    assert [slot.index for slot in national] == list(range(1_000, 1_100))
    assert min(slot.number for slot in national if slot.province == "32") == 305
    assert len({slot.code for slot in [*launch, *national]}) == 1_100


@pytest.mark.django_db
def test_groups_are_refused_without_national_scale():
    with pytest.raises(CommandError, match="--scale national"):
        call_command("seed_demo", "--groups", "10", stdout=io.StringIO())
