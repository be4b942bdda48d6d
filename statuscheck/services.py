"""Status without an account: a group member or ketua looks up an application by its registration
number and the group's registered phone, proves the phone with a one-time SMS code, and reads the
status, the tahap paid and the open tickets.

No enumeration: a lookup does the same work and gives the same answer whether or not the pair
matches — a code row is made and counted against the limits either way, and it is only *sent* when
the pair matches (``otp_send(deliver=…)``, as the phone-only password reset does)."""

import logging
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from applications.models import Application, ApplicationStatusChange
from disbursements.models import Tranche
from grievances.models import Ticket
from groups.models import Group, Member
from notifications.models import OneTimeCode
from notifications.phones import phone_normalise
from notifications.services import OTP_MAX_FAILED, otp_check, otp_send

logger = logging.getLogger(__name__)

OTP_PURPOSE = "status_check"
# How long a proved phone may read the status page before it must ask for a new code.
ACCESS_SECONDS = 15 * 60


def application_for_lookup(*, reference: str, phone: str) -> Application | None:
    """The application with ``reference`` if ``phone`` (E.164) is one its group registered: the
    group's contact phone, its ketua's phone on the member list, or the phone of the group's account."""
    application = Application.objects.select_related("group__user").filter(reference=reference).first()
    if application is None or phone not in _registered_phones(application.group):
        return None
    return application


def _registered_phones(group: Group) -> set[str]:
    ketua = Member.objects.filter(group=group, role=Member.Role.KETUA).values_list("phone", flat=True)
    account_phone = getattr(group.user, "phone", "") if group.user_id else ""
    phones = set()
    for raw in filter(None, [group.phone, account_phone, *ketua]):
        try:
            phones.add(phone_normalise(raw))
        except ValueError:  # a number stored in a shape the gateway refuses cannot prove anything
            continue
    return phones


def status_code_send(*, reference: str, phone: str, ip: str | None) -> None:
    """Text a one-time code to ``phone`` if it is registered for the application ``reference``; an
    unmatched pair gets the same work and answer, only no SMS.

    Raises ``notifications.services.CodeThrottledError`` when the number or the IP asked too often."""
    known = application_for_lookup(reference=reference, phone=phone) is not None
    otp_send(phone=phone, purpose=OTP_PURPOSE, ip=ip, deliver=known)


def status_code_check(*, reference: str, phone: str, code: str) -> int | None:
    """The application id to show if ``code`` is the right, unexpired code texted for this lookup;
    None otherwise (each wrong try counts against the code)."""
    if not otp_check(phone=phone, purpose=OTP_PURPOSE, code=code):
        return None
    application = application_for_lookup(reference=reference, phone=phone)
    return application.pk if application is not None else None


@dataclass(frozen=True)
class CodeProblem:
    """Why a code was refused, to say it plainly. Read from the code rows, which exist alike for
    matched and unmatched lookups, so the reason tells nothing about the pair."""

    kind: str  # "wrong", "expired" or "exhausted"
    tries_left: int = 0


def status_code_problem(*, phone: str) -> CodeProblem:
    latest = (
        OneTimeCode.objects.filter(phone=phone, purpose=OTP_PURPOSE)
        .order_by("-created_at")
        .only("expires_at", "consumed_at", "failed_attempts")
        .first()
    )
    if latest is None or latest.consumed_at is not None or latest.expires_at <= timezone.now():
        return CodeProblem("expired")
    if latest.failed_attempts >= OTP_MAX_FAILED:
        return CodeProblem("exhausted")
    return CodeProblem("wrong", tries_left=OTP_MAX_FAILED - latest.failed_attempts)


@dataclass(frozen=True)
class StatusReport:
    """What the status page shows: nothing about members (no names, no NIK), no account number."""

    reference: str
    group_name: str
    status_label: str
    status: str
    approved_amount: int | None
    history: list[ApplicationStatusChange]
    tranches: list[Tranche]
    tickets: list[Ticket]


def status_report(*, application_id: int, phone: str) -> StatusReport:
    """Four queries, whatever the size of the history. Open tickets about the application or its
    group; a sensitive one (pungli, officer misconduct) only if this phone filed it itself."""
    application = (
        Application.objects.select_related("group")
        .only("reference", "status", "approved_amount", "group__name")
        .get(pk=application_id)
    )
    history = list(
        ApplicationStatusChange.objects.filter(application_id=application_id)
        .only("to_status", "changed_at")
        .order_by("changed_at", "pk")
    )
    tranches = list(
        Tranche.objects.filter(application_id=application_id)
        .only("number", "amount", "status", "paid_at")
        .order_by("number")
    )
    tickets = list(
        Ticket.objects.open()
        .filter(Q(application_id=application_id) | Q(group_id=application.group_id))
        .filter(Q(is_sensitive=False) | Q(complainant_phone=phone))
        .select_related("category")
        .only("number", "status", "filed_at", "category__name")
        .order_by("-filed_at")
    )
    return StatusReport(
        reference=application.reference,
        group_name=application.group.name,
        status=application.status,
        status_label=application.get_status_display(),
        approved_amount=application.approved_amount,
        history=history,
        tranches=tranches,
        tickets=tickets,
    )
