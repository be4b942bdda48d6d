"""A bank posts transfer results host-to-host: the admin's reconciliation, the same payload twice
changes nothing, and a Jawa Barat bank cannot settle a Jawa Tengah line."""

import pytest

from disbursements import services as money
from disbursements.models import PaymentBatchLine, ReconciliationException, Tranche
from partners import services
from partners.models import Scope
from tests.partners.conftest import make_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/bank-results/"


@pytest.fixture
def bank_jabar_key(portal_admin) -> str:
    """Bank BJB's host: bank-results:write for Jawa Barat."""
    client = make_client(name="Bank BJB", scopes=[Scope.BANK_RESULTS_WRITE], provinces=["32"], by=portal_admin)
    return services.api_key_issue(client=client, by=portal_admin).plaintext


def paid(line: PaymentBatchLine, txn: str | None = None) -> dict:
    return {
        "payment_reference": line.payment_reference,
        "status": "paid",
        "transfer_date": "2020-10-15",
        "bank_transaction_id": txn or f"TX{line.pk:08d}",
        "amount": line.amount,
    }


def post(api, key: str, lines: list[dict], **headers):  # noqa: ANN001, ANN201
    return api.post(URL, {"lines": lines}, format="json", HTTP_AUTHORIZATION=f"Bearer {key}", **headers)


def state() -> tuple:
    return (
        list(Tranche.objects.order_by("pk").values_list("status", "paid_at")),
        list(PaymentBatchLine.objects.order_by("pk").values_list("outcome", "bank_transaction_id", "settled_at")),
        ReconciliationException.objects.count(),
    )


def test_it_reconciles_and_sends_the_summary(api, bank_jabar_key, money_world):
    first, second = money_world["jabar_batch"].lines.order_by("pk")
    failed = {**paid(second), "status": "failed", "reason_code": "invalid_account", "bank_transaction_id": ""}
    response = post(api, bank_jabar_key, [paid(first), failed])
    assert response.status_code == 200, response.json()
    report = response.json()
    assert (report["rows"], report["paid"], report["failed"], report["changed"]) == (2, 1, 1, 2)
    assert report["paid_amount"] == first.amount
    assert report["batches_reconciled"] == [money_world["jabar_batch"].reference]
    assert first.tranche.__class__.objects.get(pk=first.tranche_id).status == Tranche.Status.PAID


def test_the_same_payload_twice_changes_nothing(api, bank_jabar_key, money_world):
    lines = [paid(line) for line in money_world["jabar_batch"].lines.order_by("pk")]
    post(api, bank_jabar_key, lines)
    before = state()
    again = post(api, bank_jabar_key, lines)
    assert again.status_code == 200
    assert (again.json()["changed"], again.json()["already_applied"]) == (0, 2)
    assert state() == before


def test_two_posts_with_one_change_apply_only_the_change(api, bank_jabar_key, money_world):
    first, second = money_world["jabar_batch"].lines.order_by("pk")
    post(api, bank_jabar_key, [paid(first)])
    report = post(api, bank_jabar_key, [paid(first), paid(second)]).json()
    assert (report["paid"], report["already_applied"], report["changed"]) == (1, 1, 1)


def test_with_an_idempotency_key_the_first_summary_is_replayed(api, bank_jabar_key, money_world):
    lines = [paid(line) for line in money_world["jabar_batch"].lines.order_by("pk")]
    first = post(api, bank_jabar_key, lines, HTTP_IDEMPOTENCY_KEY="bjb-2020-10-15-1")
    again = post(api, bank_jabar_key, lines, HTTP_IDEMPOTENCY_KEY="bjb-2020-10-15-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    other = post(api, bank_jabar_key, lines[:1], HTTP_IDEMPOTENCY_KEY="bjb-2020-10-15-1")
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused")


def test_a_jawa_barat_bank_cannot_settle_a_jawa_tengah_line(api, bank_jabar_key, money_world, finance):
    jateng = money.payment_batch_export(batch=money_world["jateng_batch"], by=finance)
    line = jateng.lines.get()
    report = post(api, bank_jabar_key, [paid(line)]).json()
    assert (report["paid"], report["exceptions"]) == (0, 1)
    line.refresh_from_db()
    assert line.outcome == PaymentBatchLine.Outcome.PENDING
    assert ReconciliationException.objects.get().kind == ReconciliationException.Kind.UNKNOWN_REFERENCE


def test_bad_lines_refuse_the_whole_payload_with_the_files_messages(api, bank_jabar_key, money_world):
    first, second = money_world["jabar_batch"].lines.order_by("pk")
    bad = {**paid(second), "bank_transaction_id": ""}
    response = post(api, bank_jabar_key, [paid(first), bad])
    assert response.status_code == 422
    assert response.json()["type"].endswith("/bank-results-refused")
    assert any("Baris 3" in message for message in response.json()["errors"]["lines"])
    assert Tranche.objects.filter(status=Tranche.Status.PAID).count() == 0


@pytest.mark.parametrize("body", [{}, {"lines": []}, {"lines": "x"}, {"lines": [1, 2]}, []])
def test_a_malformed_body_is_a_422_problem(api, bank_jabar_key, body):
    response = api.post(URL, body, format="json", HTTP_AUTHORIZATION=f"Bearer {bank_jabar_key}")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_a_client_without_the_scope_gets_403(api, jabar_key, money_world):
    line = money_world["jabar_batch"].lines.first()
    response = post(api, jabar_key, [paid(line)])
    assert response.status_code == 403
    assert response.json()["detail"] == "Klien ini tidak memiliki hak akses bank-results:write."
    assert not PaymentBatchLine.objects.exclude(outcome="pending").exists()


def test_the_result_file_itself_can_be_posted(api, bank_jabar_key, money_world):
    from tests.disbursements.conftest import paid_row, result_file

    lines = list(money_world["jabar_batch"].lines.order_by("pk"))
    upload = result_file([paid_row(line) for line in lines], name="BJB-20201015.csv")
    response = api.post(URL, {"file": upload}, format="multipart", HTTP_AUTHORIZATION=f"Bearer {bank_jabar_key}")
    assert response.status_code == 200, response.json()
    assert (response.json()["paid"], response.json()["file_name"]) == (2, "BJB-20201015.csv")
    again = result_file([paid_row(line) for line in lines], name="BJB-20201015.csv")
    repeat = api.post(URL, {"file": again}, format="multipart", HTTP_AUTHORIZATION=f"Bearer {bank_jabar_key}")
    assert repeat.json()["changed"] == 0


def test_a_refused_result_file_says_why(api, bank_jabar_key, money_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("hasil.txt", b"x")
    response = api.post(URL, {"file": upload}, format="multipart", HTTP_AUTHORIZATION=f"Bearer {bank_jabar_key}")
    assert response.status_code == 422
    assert response.json()["errors"]["lines"] == ["Format berkas harus CSV atau XLSX."]


def test_a_body_over_the_upload_limit_is_a_413_problem(api, bank_jabar_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2**20
    lines = [{"payment_reference": f"JPS-PAY-{n:08d}-01", "status": "paid", "amount": 1} for n in range(20_000)]
    response = post(api, bank_jabar_key, lines)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/payload-too-large")


def test_a_portal_page_still_answers_its_own_400(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    response = client.post("/masuk/", {"username": "x" * 100})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
