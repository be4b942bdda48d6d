"""The mentor's work list (read only): due visits, follow-ups due or overdue, and the monitoring rounds
due for the caseload. A fixed number of queries whatever the caseload's size."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.module_loading import import_string

from jps_portal import page_cache
from mentoring import services
from mentoring.models import Visit, VisitProblem

FOLLOW_UP_AHEAD_DAYS = 7
# The rendered work list is kept per mentor until something on it changes (``worklist_changed``, on
# commit of the mentor's own writes and of the rounds' schedule) or, for changes made elsewhere that
# do not say so (a group renamed in the admin), at most this long.
PAGE_SECONDS = 120
ACCESS_SCOPE = "worklist"
_ALL = "worklist:v:all"


def _version_key(mentor_id: int) -> str:
    return f"worklist:v:{mentor_id}"


def _page_key(mentor_id: int | str, mine: str, everyone: str, language: str) -> str:
    return f"worklist:page:{mentor_id}:{mine}:{everyone}:{timezone.localdate()}:{language}"


def worklist_page_key(mentor: AbstractBaseUser, *, language: str) -> str:
    mine, everyone = page_cache.versions(_version_key(mentor.pk), _ALL)
    return _page_key(mentor.pk, mine, everyone, language)


def worklist_page_for_session(request: HttpRequest, *, language: str) -> HttpResponse | None:
    """The mentor's kept work list, served from Redis alone when this session passed the full checks
    (user, session hash, mentor role) within ``page_cache.ACCESS_SECONDS``; else ``None``."""
    mentor_id = page_cache.session_user_id(request)
    if mentor_id is None:
        return None
    found = page_cache.access_remembered(request, scope=ACCESS_SCOPE, version_keys=[_version_key(mentor_id), _ALL])
    if found is None:
        return None
    mine, everyone = found
    return page_cache.cached_page_hit(request, _page_key(mentor_id, mine, everyone, language))


def worklist_changed(mentor_ids: Iterable[int] | None = None) -> None:
    """After the surrounding transaction commits, these mentors' (or, with ``None``, every mentor's)
    cached work list is stale."""
    keys = [_ALL] if mentor_ids is None else [_version_key(pk) for pk in set(mentor_ids)]
    if keys:
        transaction.on_commit(lambda: page_cache.bump(*keys))


@dataclass
class CaseRow:
    group_id: int
    code: str
    name: str
    regency: str
    village: str
    programme: str | None
    last_visit: datetime.date | None
    planned_on: datetime.date | None
    due_on: datetime.date
    overdue: bool


@dataclass
class WorkList:
    today: datetime.date
    due_visits: list[CaseRow]
    later: list[CaseRow]
    follow_ups: list[VisitProblem]
    rounds: list = field(default_factory=list)

    @property
    def round_groups(self) -> list[tuple[int, str, list]]:
        """The due rounds one card per group (``(group id, name, rounds)``), the most overdue first."""
        grouped: dict[int, tuple[int, str, list]] = {}
        for round_ in self.rounds:
            grouped.setdefault(round_.group_id, (round_.group_id, round_.group_name, []))[2].append(round_)
        return list(grouped.values())

    @property
    def caseload_size(self) -> int:
        return len(self.due_visits) + len(self.later)


def worklist_for(mentor: AbstractBaseUser, *, today: datetime.date | None = None) -> WorkList:
    today = today or timezone.localdate()
    interval = datetime.timedelta(days=services.visit_interval_days())
    done = Visit.objects.filter(group=OuterRef("pk"), status=Visit.Status.DONE)
    planned = Visit.objects.filter(group=OuterRef("pk"), status=Visit.Status.PLANNED, mentor=mentor)
    groups = (
        services.caseload_groups(mentor)
        .annotate(
            programme=services.funded_programme_subquery(),
            last_visit=Subquery(done.values("group").annotate(m=Max("done_on")).values("m")[:1]),
            planned_on=Subquery(planned.values("group").annotate(m=Min("planned_on")).values("m")[:1]),
        )
        .values("pk", "code", "name", "village", "regency__name", "programme", "last_visit", "planned_on")
        .order_by("pk")
    )
    due, later = [], []
    names: dict[int, str] = {}
    for row in groups:
        names[row["pk"]] = row["name"]
        due_on = row["planned_on"] or (row["last_visit"] + interval if row["last_visit"] else today)
        case = CaseRow(
            group_id=row["pk"], code=row["code"], name=row["name"], regency=row["regency__name"],
            village=row["village"], programme=row["programme"], last_visit=row["last_visit"],
            planned_on=row["planned_on"], due_on=due_on, overdue=due_on < today,
        )  # fmt: skip
        (due if due_on <= today + datetime.timedelta(days=FOLLOW_UP_AHEAD_DAYS) else later).append(case)
    due.sort(key=lambda c: (c.due_on, c.group_id))
    later.sort(key=lambda c: (c.due_on, c.group_id))
    # The caseload's ids are known now: the follow-ups and rounds are read by group id on their own
    # indexes, without joining the assignments again, and take the group's name from the rows above.
    follow_ups = list(
        VisitProblem.objects.filter(
            group_id__in=list(names),
            resolved_on__isnull=True,
            follow_up_on__lte=today + datetime.timedelta(days=FOLLOW_UP_AHEAD_DAYS),
        )
        .only("pk", "group_id", "description", "follow_up_on")
        .order_by("follow_up_on", "pk")
    )
    for problem in follow_ups:
        problem.group_name = names[problem.group_id]
    rounds = []
    if apps.is_installed("outcomes") and names:
        rounds = import_string("outcomes.services.rounds_due_for_groups")(names, today=today)
    return WorkList(today=today, due_visits=due, later=later, follow_ups=follow_ups, rounds=rounds)
