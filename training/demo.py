"""The demo's training event: the launch of 3–4 October 2020 at Hotel Santika, Kota Tasikmalaya —
the 1,000 launch groups invited, their ketua taking part, 50 at the venue and 950 online
(../shared/context/000_…). ``seed_demo`` calls ``launch_event_seed`` after the groups exist."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from applications.demo_data import JAKARTA, launch_slots
from groups.models import Group, Member
from training import services
from training.models import Attendance, Invitation, Mode, Participant, TrainingEvent

LAUNCH_TITLE = "Launching dan Pembekalan Program Bantuan JPS Covid-19 Tahun 2020"
LAUNCH_VENUE = "Hotel Santika, Jl. Yudanegara, Kota Tasikmalaya"
LAUNCH_REGENCY = "32.78"  # Kota Tasikmalaya
LAUNCH_DAYS = (datetime.date(2020, 10, 3), datetime.date(2020, 10, 4))
OFFLINE_SEATS = 50
# One ketua in every twenty launch groups came to the venue: 50 of 1,000, spread over the provinces.
OFFLINE_EVERY = 20


@dataclass(frozen=True)
class LaunchEventResult:
    created: bool
    event_id: int | None
    invited: int = 0
    offline: int = 0
    online: int = 0


@transaction.atomic
def launch_event_seed() -> LaunchEventResult:
    """Create the launch event with its invitations, participants and attendance. Idempotent: an
    existing launch event is left as it is."""
    existing = TrainingEvent.objects.filter(year=2020, title=LAUNCH_TITLE).first()
    if existing is not None:
        return LaunchEventResult(created=False, event_id=existing.pk)
    codes = [slot.code for slot in launch_slots()]
    group_ids = dict(Group.objects.filter(code__in=codes).values_list("code", "pk"))
    if not group_ids:
        return LaunchEventResult(created=False, event_id=None)
    event = services.event_create(
        year=2020,
        title=LAUNCH_TITLE,
        description="Peluncuran program dan pembekalan dua hari bagi 1.000 kelompok penerima bantuan JPS 2020.",
        starts_on=LAUNCH_DAYS[0],
        ends_on=LAUNCH_DAYS[1],
        format=TrainingEvent.Format.HYBRID,
        venue=LAUNCH_VENUE,
        regency_id=LAUNCH_REGENCY,
        online_link="https://kemnaker.go.id/",
        capacity_offline=OFFLINE_SEATS,
        by=None,
    )
    services.event_open(event=event, by=None)
    invited_at = datetime.datetime(2020, 9, 25, 9, 0, tzinfo=JAKARTA)
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                event=event,
                group_id=group_ids[code],
                invited_at=invited_at,
                notified_at=invited_at,
                registered_at=invited_at + datetime.timedelta(days=2),
            )
            for code in codes
            if code in group_ids
        ]  # fmt: skip
    )
    ketua = dict(
        Member.objects.filter(group_id__in=group_ids.values(), role=Member.Role.KETUA).values_list("group_id", "pk")
    )
    participants = []
    for index, invitation in enumerate(invitations):
        if invitation.group_id not in ketua:
            continue
        mode = Mode.OFFLINE if index % OFFLINE_EVERY == 0 else Mode.ONLINE
        participants.append(
            Participant(event=event, invitation=invitation, member_id=ketua[invitation.group_id], mode=mode,
                        registered_at=invitation.registered_at)
        )  # fmt: skip
    participants = bulk_create_with_history(participants, Participant, batch_size=2_000, default_date=invited_at)
    sessions = list(event.sessions.order_by("number"))
    attendance = [
        Attendance(session=session, event=event, participant=p, member_id=p.member_id, mode=p.mode,
                   source=Attendance.Source.GRID,
                   recorded_at=datetime.datetime.combine(session.day, datetime.time(17, 0), tzinfo=JAKARTA))
        for session in sessions
        for p in participants
    ]  # fmt: skip
    bulk_create_with_history(attendance, Attendance, batch_size=2_000, default_date=timezone.now())
    services.event_mark_held(event=event, by=None, note="Dihadiri 50 peserta luring dan 950 peserta daring.")
    offline = sum(1 for p in participants if p.mode == Mode.OFFLINE)
    return LaunchEventResult(
        created=True, event_id=event.pk, invited=len(invitations), offline=offline, online=len(participants) - offline
    )
