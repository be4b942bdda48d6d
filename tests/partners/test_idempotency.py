"""Idempotency keys: one claim per (client, key), a stale claim taken over, concurrent retries
ending in exactly one submission (PostgreSQL, real threads)."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Application
from partners import idempotency
from partners.models import Client, IdempotencyKey, Scope
from partners.problems import Problem
from tests.partners.conftest import make_client

HASH_A, HASH_B = "a" * 64, "b" * 64


@pytest.fixture
def siapkerja(portal_admin) -> Client:
    return make_client(name="SIAPkerja", scopes=[Scope.SUBMISSIONS_WRITE], national=True, by=portal_admin)


def claim(client: Client, fingerprint: str = HASH_A) -> tuple[IdempotencyKey, bool]:
    return idempotency.idempotency_claim(client=client, key="k", operation="op", fingerprint=fingerprint)


@pytest.mark.django_db
def test_a_claim_in_progress_answers_409_with_retry_after(siapkerja):
    claim(siapkerja)
    with pytest.raises(Problem) as refused:
        claim(siapkerja)
    assert refused.value.status_code == 409
    assert refused.value.headers == {"Retry-After": "2"}


@pytest.mark.django_db
def test_a_finished_claim_is_replayed_and_another_body_refused(siapkerja):
    record, _ = claim(siapkerja)
    idempotency.idempotency_answer(record=record, status=201, body={"id": 7})
    again, claimed = claim(siapkerja)
    assert (claimed, again.response_status, again.response_body) == (False, 201, {"id": 7})
    with pytest.raises(Problem) as refused:
        claim(siapkerja, HASH_B)
    assert (refused.value.status_code, refused.value.slug) == (422, "idempotency-key-reused")


@pytest.mark.django_db
def test_a_claim_abandoned_for_longer_than_the_stale_limit_is_taken_over(siapkerja):
    record, _ = claim(siapkerja)
    IdempotencyKey.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    taken, claimed = claim(siapkerja)
    assert claimed and taken.pk == record.pk
    with pytest.raises(Problem):  # taken over just now: no longer stale
        claim(siapkerja)


@pytest.mark.django_db
def test_a_failed_write_releases_the_key(siapkerja):
    def explode() -> idempotency.Answer:
        raise RuntimeError

    with pytest.raises(RuntimeError):
        idempotency.idempotent_call(client=siapkerja, key="k", operation="op", fingerprint=HASH_A, perform=explode)
    assert not IdempotencyKey.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_exactly_one_submission(
    reference_data, portal_admin, applicant, open_scheme
):
    from partners import services
    from tests.partners.test_submissions import body, files

    scheme = open_scheme
    client = make_client(name="SIAPkerja", scopes=[Scope.SUBMISSIONS_WRITE], national=True, by=portal_admin)
    key = services.api_key_issue(client=client, by=portal_admin).plaintext
    data = body(scheme, applicant)
    start = threading.Barrier(4)
    answers: list[tuple[int, dict]] = []

    def retry() -> None:
        try:
            start.wait(timeout=10)
            response = APIClient().post(
                "/api/v1/submissions/",
                {**data, **files()},
                format="multipart",
                HTTP_AUTHORIZATION=f"Bearer {key}",
                HTTP_IDEMPOTENCY_KEY="retry-storm",
            )
            answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Application.objects.count() == 1, answers
    statuses = sorted(status for status, _ in answers)
    assert len(answers) == 4 and statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    references = {answer["reference"] for status, answer in answers if status == 201}
    assert references == {Application.objects.get().reference}
    assert IdempotencyKey.objects.get().response_status == 201


@pytest.mark.django_db
def test_keys_older_than_a_week_are_purged_by_the_nightly_task(siapkerja):
    from partners.tasks import purge_idempotency_keys

    old, _ = claim(siapkerja)
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    recent, _ = idempotency.idempotency_claim(client=siapkerja, key="k2", operation="op", fingerprint=HASH_A)
    assert purge_idempotency_keys() == 1
    assert purge_idempotency_keys() == 0
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [recent.pk]
