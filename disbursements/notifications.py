"""Telling a group its money arrived: the notice on its status page, and one message per paid tahap
(e-mail, or SMS for a phone-only account) through the notifications outbox. A tahap is paid once
(``Tranche.Status.PAID`` is final), so its message is keyed by the tahap: a bank file imported
twice, or a sweep run again, never sends a second one."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from applications.models import Application
from applications.money import format_rupiah
from applications.notifications import contact_of
from disbursements.models import PaymentBatchLine, Tranche
from groups.accounts import account_number_masked
from groups.models import Bank
from notifications.links import absolute_url
from notifications.services import MessageDraft, messages_queue_bulk

TEMPLATE = "tranche_paid"


@dataclass(frozen=True)
class TranchePayment:
    """One paid tahap as the group reads it: "Dana tahap 1 Rp20.000.000 telah ditransfer ke rekening
    BRI ****4507 pada 4 Desember 2026"."""

    tranche_id: int
    number: int
    amount: int
    bank: str
    account: str
    paid_on: datetime.date

    def context(self) -> dict[str, object]:
        """The message's context: JSON values only, written in Indonesian (the worker renders it)."""
        with translation.override("id"):
            return {
                "number": self.number,
                "amount": format_rupiah(self.amount),
                "bank": self.bank,
                "account": self.account,
                "date": date_format(self.paid_on, "j F Y"),
            }


def tranche_payments(tranches: Iterable[Tranche]) -> list[TranchePayment]:
    """The paid ones among ``tranches``, with the account and date of the transfer that paid them."""
    paid = {tranche.pk: tranche for tranche in tranches if tranche.status == Tranche.Status.PAID}
    if not paid:
        return []
    lines = {
        line.tranche_id: line
        for line in PaymentBatchLine.objects.filter(tranche_id__in=paid, outcome=PaymentBatchLine.Outcome.PAID)
    }
    banks = dict(Bank.objects.filter(code__in={line.bank_code for line in lines.values()}).values_list("code", "name"))
    payments = []
    for tranche_id, tranche in sorted(paid.items(), key=lambda item: item[1].number):
        line = lines.get(tranche_id)
        paid_on = (line.transfer_date if line else None) or timezone.localdate(tranche.paid_at)
        payments.append(
            TranchePayment(
                tranche_id=tranche_id,
                number=tranche.number,
                amount=tranche.amount,
                bank=banks.get(line.bank_code, line.bank_code) if line else "",
                account=account_number_masked(line.account_number) if line else "",
                paid_on=paid_on,
            )
        )
    return payments


NOTICES_PER_TRANSACTION = 2000


def paid_tranche_notices_queue(*, limit: int | None = None) -> int:
    """Put the owed "your money arrived" messages (``Tranche.paid_notice_due``) in the outbox, a chunk
    per transaction: the chunk's rows are locked (``SKIP LOCKED``: two runs share the work, never
    double it), their messages queued, their marks cleared, all in that transaction. Returns how many
    tahap were announced; a second run finds nothing owed."""
    announced = 0
    while limit is None or announced < limit:
        size = NOTICES_PER_TRANSACTION if limit is None else min(NOTICES_PER_TRANSACTION, limit - announced)
        with transaction.atomic():
            tranche_ids = list(
                Tranche.objects.select_for_update(skip_locked=True)
                .filter(paid_notice_due=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:size]
            )
            if not tranche_ids:
                break
            tranche_paid_announce(tranche_ids=tranche_ids)
            Tranche.objects.filter(pk__in=tranche_ids).update(paid_notice_due=False)
        announced += len(tranche_ids)
    return announced


def tranche_paid_announce(*, tranche_ids: Iterable[int]) -> int:
    """Queue the "your money arrived" message of each paid tahap in ``tranche_ids`` (in the caller's
    transaction; delivered after commit). Returns how many were new."""
    tranches = list(
        Tranche.objects.filter(pk__in=list(tranche_ids), status=Tranche.Status.PAID).select_related(
            "application__group__user"
        )
    )
    by_id = {tranche.pk: tranche for tranche in tranches}
    drafts = []
    for payment in tranche_payments(tranches):
        tranche = by_id[payment.tranche_id]
        application = tranche.application
        channel, to = contact_of(application.group.user)
        if channel is None:
            continue
        drafts.append(
            MessageDraft(
                channel=channel,
                to=to,
                template=TEMPLATE,
                dedupe_key=f"tranche-paid:{tranche.pk}",
                context=payment.context() | _application_context(application),
            )
        )
    return messages_queue_bulk(drafts=drafts)


def _application_context(application: Application) -> dict[str, object]:
    return {
        "group": application.group.name,
        "reference": application.reference,
        "url": absolute_url(reverse("applications:detail", args=[application.pk])),
    }
