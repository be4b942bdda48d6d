"""Issue 13, consequences in the process: a payment complaint links to the tahap it is about and holds
the group's next tahap (out of payment batches) until it is closed; the link shows on both admin pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from disbursements import services as disbursement_services
from disbursements.models import Tranche, TrancheHold
from grievances import services
from grievances.models import Ticket
from tests.disbursements.conftest import approve  # noqa: F401 - the fixture
from tests.money_world import pay_payable

pytestmark = pytest.mark.django_db
TS = Tranche.Status


@pytest.fixture
def paid_once(approve, finance):  # noqa: F811
    """A group paid tahap 1 of 70/30, its report accepted: tahap 2 is scheduled."""
    application = approve(plan=[70, 30])
    pay_payable(finance=finance, name="hasil-1.csv")
    tahap_2 = application.tranches.get(number=2)
    disbursement_services.tranche_unlock(tranche=tahap_2, by=None)
    return application


def _complain(categories, application, code="pembayaran"):
    return services.ticket_file(
        category=categories[code],
        description="Tahap 1 hanya diterima separuh.",
        filed_by=Ticket.Filer.PUBLIC,
        tranche=application.tranches.get(number=1),
        name="Warga",
    )


def _payable(application) -> list[int]:
    return list(Tranche.objects.payable().filter(application=application).values_list("number", flat=True))


def test_a_payment_complaint_links_the_tahap_and_holds_the_next_one(categories, paid_once, finance, verifier):
    assert _payable(paid_once) == [2]
    ticket = _complain(categories, paid_once)

    assert ticket.tranche == paid_once.tranches.get(number=1)
    assert (ticket.application, ticket.group) == (paid_once, paid_once.group)
    assert _payable(paid_once) == []
    assert list(Tranche.objects.held().filter(application=paid_once).values_list("number", flat=True)) == [2]
    with pytest.raises(ValidationError) as refused:
        disbursement_services.payment_batch_create(tranches=Tranche.objects.filter(application=paid_once), by=finance)
    assert f"tahap 2 ditahan: Pengaduan pembayaran {ticket.number} belum selesai." in " ".join(refused.value.messages)
    preview = disbursement_services.payment_batch_preview(
        tranches=Tranche.objects.filter(application=paid_once), by=finance
    )
    assert preview.count == 0
    assert any(ticket.number in reason for reason in preview.left_out)


@pytest.mark.parametrize("close", ["upheld", "not_upheld", "rejected"])
def test_closing_the_complaint_either_way_releases_the_hold(categories, paid_once, verifier, close):
    ticket = _complain(categories, paid_once)
    if close == "rejected":
        services.ticket_reject(ticket=ticket, by=verifier, note="Bukan wewenang program.")
    else:
        services.ticket_investigate(ticket=ticket, by=verifier)
        services.ticket_resolve(ticket=ticket, by=verifier, upheld=close == "upheld", note="Dicek ke bank.")

    assert _payable(paid_once) == [2]
    hold = TrancheHold.objects.get(application=paid_once)
    assert hold.released_by == verifier
    assert ticket.number in hold.release_note


def test_an_appeal_puts_the_hold_back(categories, paid_once, verifier):
    ticket = _complain(categories, paid_once)
    services.ticket_reject(ticket=ticket, by=verifier, note="Kurang bukti.")
    services.ticket_appeal(ticket=ticket, reason="Saya punya buku tabungan.")
    assert _payable(paid_once) == []


def test_a_complaint_of_another_category_holds_nothing(categories, paid_once):
    other = next(code for code, category in categories.items() if not category.holds_next_tranche)
    _complain(categories, paid_once, code=other)
    assert _payable(paid_once) == [2]
    assert not TrancheHold.objects.exists()


def test_a_hold_changes_nothing_already_paid_or_in_a_batch(categories, paid_once, finance):
    tahap_1 = paid_once.tranches.get(number=1)
    batch = disbursement_services.payment_batch_create(tranches=Tranche.objects.payable(), by=finance)
    _complain(categories, paid_once)

    tahap_1.refresh_from_db()
    assert tahap_1.status == TS.PAID and tahap_1.paid_at is not None
    assert paid_once.tranches.get(number=2).status == TS.IN_BATCH
    assert batch.lines.filter(tranche__application=paid_once).count() == 1


def test_two_complaints_hold_once_each_and_the_hold_stays_until_both_close(categories, paid_once, verifier):
    first = _complain(categories, paid_once)
    second = _complain(categories, paid_once)
    services._hold_place(first, by=None)  # placing again for the same complaint changes nothing
    assert TrancheHold.objects.active().filter(application=paid_once).count() == 2
    assert Tranche.objects.held().filter(application=paid_once).count() == 1

    services.ticket_reject(ticket=first, by=verifier, note="Dobel.")
    assert _payable(paid_once) == []
    services.ticket_reject(ticket=second, by=verifier, note="Sudah diterima penuh.")
    assert _payable(paid_once) == [2]


def test_both_admin_pages_show_the_link_and_the_hold(client, categories, paid_once, finance, verifier):
    ticket = _complain(categories, paid_once)
    tahap_1, tahap_2 = paid_once.tranches.get(number=1), paid_once.tranches.get(number=2)
    tranche_page = reverse("admin:disbursements_tranche_change", args=[tahap_2.pk])
    ticket_page = reverse("admin:grievances_ticket_change", args=[ticket.pk])

    # Finance (no ticket permission): why tahap 2 is held and how many complaints, never which.
    client.force_login(finance)
    page = client.get(tranche_page).content.decode()
    assert "Ditahan: tidak masuk batch pembayaran." in page
    assert "1 pengaduan terbuka" in page
    assert ticket_page not in page

    # The complaints officer: the ticket numbers, linked; on the ticket, its tahap and the hold.
    client.force_login(verifier)
    page = client.get(tranche_page).content.decode()
    assert f'<a href="{ticket_page}">{ticket.number}</a>' in page
    page = client.get(ticket_page).content.decode()
    assert str(tahap_1) in page
    assert "tahap berikutnya tidak masuk batch pembayaran" in page

    services.ticket_reject(ticket=ticket, by=verifier, note="Selesai.")
    client.force_login(finance)
    page = client.get(tranche_page).content.decode()
    assert "Ditahan:" not in page and "pengaduan terbuka (" not in page
