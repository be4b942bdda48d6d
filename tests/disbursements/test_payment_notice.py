"""Issue 11 §1: a paid tahap is announced on the group's status page and by one e-mail (or SMS for a
phone-only account) per payment, queued through the outbox when the bank's result is imported."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from disbursements import bankfiles, services
from disbursements.models import Tranche
from notifications import sms
from notifications.models import Message
from tests.disbursements.conftest import failed_row, paid_row, result_file

pytestmark = pytest.mark.django_db


def _export(finance):
    batch = services.payment_batch_create(tranches=Tranche.objects.payable(), by=finance)
    return services.payment_batch_export(batch=batch, by=finance)


def _import(rows, finance, name="hasil.csv"):
    return services.bank_results_import(
        rows=bankfiles.read_bank_results(result_file(rows, name=name)), file_name=name, by=finance
    )


@pytest.fixture
def funded(approve, applicant):
    """Siti's approved application (Rp40.000.000 in two tahap, 60/40), her group's account at BRI."""
    application = approve(plan=[60, 40])
    group = application.group
    group.user = applicant
    group.bank_id, group.account_number = "002", "0123010004565071"
    group.save()
    return application


def test_a_paid_tahap_sends_one_email_with_an_absolute_link(funded, finance, django_capture_on_commit_callbacks):
    batch = _export(finance)
    with django_capture_on_commit_callbacks(execute=True):
        _import([paid_row(line) for line in batch.lines.all()], finance)
    paid = [m for m in mail.outbox if "telah ditransfer" in m.subject]
    assert len(paid) == 1
    body = paid[0].body
    assert "Dana tahap 1 Rp24.000.000 telah ditransfer ke rekening Bank Rakyat Indonesia" in body
    assert "****5071 pada 15 Oktober 2020." in body
    assert "0123010004565071" not in body  # only the last four digits leave the bank's screens
    assert re.search(rf"https?://[^/\s]+/pengajuan/{funded.pk}/", body)  # absolute, never a bare path
    assert paid[0].to == [funded.group.user.email]


def test_the_same_bank_file_imported_again_sends_nothing_more(funded, finance, django_capture_on_commit_callbacks):
    batch = _export(finance)
    rows = [paid_row(line) for line in batch.lines.all()]
    with django_capture_on_commit_callbacks(execute=True):
        _import(rows, finance)
        _import(rows, finance, name="hasil-lagi.csv")
    assert Message.objects.filter(template="tranche_paid").count() == 1
    assert len([m for m in mail.outbox if "telah ditransfer" in m.subject]) == 1


def test_a_failed_transfer_announces_no_payment(funded, finance, django_capture_on_commit_callbacks):
    batch = _export(finance)
    with django_capture_on_commit_callbacks(execute=True):
        _import([failed_row(line) for line in batch.lines.all()], finance)
    assert not Message.objects.filter(template="tranche_paid").exists()


def test_the_message_is_queued_only_when_the_import_commits(funded, finance, django_capture_on_commit_callbacks):
    batch = _export(finance)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _import([paid_row(line) for line in batch.lines.all()], finance)
    assert not [m for m in mail.outbox if "telah ditransfer" in m.subject]  # nothing sent before commit
    assert callbacks


def test_a_phone_only_account_hears_by_sms(funded, finance, django_capture_on_commit_callbacks):
    user = funded.group.user
    user.email, user.phone = "", "+6281234567890"
    user.save()
    batch = _export(finance)
    with django_capture_on_commit_callbacks(execute=True):
        _import([paid_row(line) for line in batch.lines.all()], finance)
    texts = [s.body for s in sms.outbox if "telah ditransfer" in s.body]
    assert len(texts) == 1 and "Rp24.000.000" in texts[0] and "://" in texts[0]


def test_the_status_page_says_the_money_arrived(client, applicant, funded, finance):
    batch = _export(finance)
    _import([paid_row(line) for line in batch.lines.all()], finance)
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[funded.pk])).content.decode()
    assert "Dana tahap 1 Rp24.000.000 telah ditransfer ke rekening Bank Rakyat Indonesia" in page
    assert "****5071 pada 15 Oktober 2020." in page
    assert "Dana tahap 2" not in page  # not paid yet


def test_the_ketua_home_page_says_the_money_arrived_too_and_links_to_the_application(
    client, applicant, funded, finance
):
    client.force_login(applicant)
    before = client.get(reverse("groups:home")).content.decode()
    assert "telah ditransfer" not in before  # nothing paid yet, nothing announced

    batch = _export(finance)
    _import([paid_row(line) for line in batch.lines.all()], finance)
    page = client.get(reverse("groups:home")).content.decode()
    notice = page[page.index('class="card paid-notice"') :]
    notice = notice[: notice.index("</p>")]
    assert "Dana tahap 1 Rp24.000.000 telah ditransfer ke rekening Bank Rakyat Indonesia (BRI) ****5071" in notice
    assert f'href="{reverse("applications:detail", args=[funded.pk])}"' in notice
    assert "Dana tahap 2" not in page


def test_the_tranche_table_stacks_on_a_phone_with_every_cell_labelled(client, applicant, funded):
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[funded.pk])).content.decode()
    table = page[page.index('<table class="stack">') : page.index("</table>")]
    assert table.count('data-label="Nilai"') == 2 and table.count('data-label="Status"') == 2
    assert 'class="money"' in table


def test_the_import_only_marks_the_message_as_owed_and_the_task_queues_it_once(
    funded, finance, django_capture_on_commit_callbacks
):
    from disbursements.notifications import paid_tranche_notices_queue

    batch = _export(finance)
    with django_capture_on_commit_callbacks(execute=False):  # the task after commit is lost
        _import([paid_row(line) for line in batch.lines.all()], finance)
    paid = Tranche.objects.get(application=funded, number=1)
    assert paid.paid_notice_due and not Message.objects.filter(template="tranche_paid").exists()
    assert not Tranche.objects.filter(application=funded, number=2, paid_notice_due=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert paid_tranche_notices_queue() == 1  # what the beat sweep runs
        assert paid_tranche_notices_queue() == 0
    paid.refresh_from_db()
    assert not paid.paid_notice_due
    assert Message.objects.filter(template="tranche_paid", dedupe_key=f"tranche-paid:{paid.pk}").count() == 1


def test_a_failed_or_returned_transfer_owes_no_message(funded, finance, django_capture_on_commit_callbacks):
    batch = _export(finance)
    _import([failed_row(line) for line in batch.lines.all()], finance)
    assert not Tranche.objects.filter(paid_notice_due=True).exists()


def test_notices_are_queued_in_chunks_each_committed_on_its_own(approve, finance, monkeypatch):
    from disbursements import notifications

    for _ in range(3):
        approve()
    batch = _export(finance)
    _import([paid_row(line) for line in batch.lines.all()], finance)
    owed = Tranche.objects.filter(paid_notice_due=True).count()
    assert owed == 3
    monkeypatch.setattr(notifications, "NOTICES_PER_TRANSACTION", 2)
    assert notifications.paid_tranche_notices_queue(limit=2) == 2
    assert Tranche.objects.filter(paid_notice_due=True).count() == 1
    assert notifications.paid_tranche_notices_queue() == 1
