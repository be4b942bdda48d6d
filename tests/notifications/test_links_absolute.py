"""Issue 11 §1: every link in every message is absolute. Each message template under
templates/notifications/ is produced here through the service that really sends it, delivered, and
read as the person gets it (Django's mail outbox, the SMS outbox); a bare path (``/pengajuan/12/``,
``href="/…"``) or a link without a host fails. A new template that no case here produces fails too."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from applications.models import Application, ApplicationStatusChange
from applications.notifications import status_email_send
from disbursements import bankfiles
from disbursements import services as disbursement_services
from disbursements.models import Tranche
from grievances import services as grievance_services
from grievances.models import Category, Ticket
from notifications import sms
from notifications.models import Message
from notifications.services import otp_send
from outcomes.services import rounds_remind, rounds_schedule
from tests.disbursements.conftest import approve, paid_row, result_file  # noqa: F401 (fixture)
from tests.factories import ApplicationFactory, GroupFactory, UserFactory
from tests.outcomes.conftest import paid_group
from tests.training.conftest import event, invited_group, ketua, organiser  # noqa: F401 (fixtures)
from training import services as training_services

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications"
# A path standing alone: at the start, after a space, a quote, a bracket or "href=".
BARE_PATH = re.compile(r"""(?:^|[\s"'(<=])(/[A-Za-z0-9_\-][^\s"'<>)]*)""", re.MULTILINE)
LINK = re.compile(r"https?://[^\s\"'<>)]*")


def _problems(text: str) -> list[str]:
    problems = [f"bare path {path}" for path in BARE_PATH.findall(text)]
    for link in LINK.findall(text):
        host = link.split("://", 1)[1].split("/", 1)[0]
        if not host:
            problems.append(f"link without a host: {link}")
    return problems


def test_no_bare_path_is_found_by_the_checker_itself():
    """The checker fails on what the issue saw (so a pass below means something)."""
    assert _problems("Lihat status pengajuan: /pengajuan/1002/")
    assert _problems('<a href="/pengajuan/1002/">lihat</a>')
    assert _problems("Lihat: http:///pengajuan/1002/")
    assert not _problems("Lihat: http://127.0.0.1:8000/pengajuan/1002/ dan 12/2020")


def _every_message(client, approve, invited_group, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        # account_verification: a ketua registers with an e-mail address.
        client.post(
            reverse("accounts:register"),
            {"full_name": "Andi Saputra", "email": "andi@example.id", "phone": "0812 1111 2222"}
            | {"password1": "Sawah-Hijau-2020", "password2": "Sawah-Hijau-2020"},
        )
        # password_reset: a known address asks for a link.
        UserFactory(username="wati", email="wati@example.id", role=Role.GROUP)
        client.post(reverse("accounts:password_reset"), {"email": "wati@example.id"})
        # one_time_code: a code by SMS.
        otp_send(phone="081233334444", purpose="password_reset", ip="10.0.0.1")
        # application_status_changed: by e-mail, and by SMS for a phone-only account.
        for user in (UserFactory(email="ketua@example.id"), UserFactory(email="", phone="081255556666")):
            application = ApplicationFactory(group=GroupFactory(user=user), status=Application.Status.SUBMITTED)
            change = ApplicationStatusChange.objects.create(
                application=application,
                from_status="draft",
                to_status="submitted",
                notification_due=True,
                changed_at=timezone.now(),
            )
            status_email_send(change_id=change.pk)
        # tranche_paid: the bank's result file pays a tahap.
        funded = approve()
        funded.group.user = UserFactory(email="bendahara@example.id")
        funded.group.save()
        finance = UserFactory(role=Role.FINANCE, scope_national=True)
        batch = disbursement_services.payment_batch_create(tranches=Tranche.objects.payable(), by=finance)
        batch = disbursement_services.payment_batch_export(batch=batch, by=finance)
        rows = bankfiles.read_bank_results(result_file([paid_row(line) for line in batch.lines.all()]))
        disbursement_services.bank_results_import(rows=rows, file_name="hasil.csv", by=finance)
        # training_invitation: by e-mail and SMS.
        training_services.invitations_send(event_id=invited_group.training_invitations.first().event_id)
        # ticket_update: a complaint's number and tracking link, by SMS and e-mail.
        grievance_services.ticket_file(
            category=Category.objects.get(code="pembayaran"),
            description="Tahap 1 belum masuk.",
            filed_by=Ticket.Filer.VERIFIED_PHONE,
            regency=GroupFactory().regency,
            phone="081277778888",
            email="pelapor@example.id",
        )
        # outcome_round_due: a paid group's monitoring round falls due.
        paid_group(user=UserFactory(email="hasil@example.id"))
        rounds_schedule()
        rounds_remind()


def test_every_link_in_every_message_is_absolute(
    client,
    approve,  # noqa: F811
    invited_group,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    _every_message(client, approve, invited_group, django_capture_on_commit_callbacks)
    texts = [(f"e-mail {m.subject}", f"{m.subject}\n{m.body}") for m in mail.outbox]
    texts += [(f"sms to {s.to}", s.body) for s in sms.outbox]
    problems = {name: found for name, text in texts if (found := _problems(text))}
    assert not problems, problems
    assert sum(bool(LINK.search(text)) for _name, text in texts) >= 6  # the links are there, absolute

    produced = set(Message.objects.values_list("template", flat=True))
    on_disk = {path.name.split(".")[0] for path in TEMPLATES.glob("*.txt")}
    assert on_disk <= produced, f"message templates no case here produces: {on_disk - produced}"
