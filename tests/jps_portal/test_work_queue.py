"""'Tugas saya': each role counts what waits for it, in its region, in a fixed number of queries, and
is shown only links it may open."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from applications.models import Application, Flag
from disbursements import services as disbursement_services
from disbursements.models import PaymentBatch, ReconciliationException, Tranche
from jps_portal import work_queue
from tests.factories import ApplicationFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

BANDUNG, SEMARANG = "32.04", "33.74"


def _application(regency: str, status: str) -> Application:
    return ApplicationFactory(group=GroupFactory(regency_id=regency), status=status)


def _counts(user) -> dict[str, int]:
    return {item.kind.key: item.count for item in work_queue.work_for(user)}


@pytest.fixture
def west_and_central_java():
    """Work in Bandung (Jawa Barat) and in Semarang (Jawa Tengah), at every step."""
    for regency in (BANDUNG, SEMARANG):
        _application(regency, Application.Status.SUBMITTED)
        _application(regency, Application.Status.SUBMITTED)
        _application(regency, Application.Status.VERIFIED)
        _application(regency, Application.Status.DRAFT)
        approved = _application(regency, Application.Status.APPROVED)
        Tranche.objects.create(application=approved, number=1, percentage=100, amount=approved.requested_amount)
        for rule, severity in ((Flag.Rule.CLUSTER_PHONE, Flag.Severity.WARN), (Flag.Rule.AGE, Flag.Severity.BLOCK)):
            Flag.objects.create(
                group=approved.group, rule=rule, severity=severity, evidence="-", raised_at=timezone.now()
            )


def test_the_verifier_counts_only_her_province_and_only_her_role_s_work(verifier, west_and_central_java):
    assert _counts(verifier) == {"verify": 2, "flags": 1, "reports": 0, "corrections": 0, "locations": 0}


def test_a_national_verifier_counts_both_provinces(second_verifier, west_and_central_java):
    assert _counts(second_verifier)["verify"] == 4


def test_a_regency_officer_counts_only_the_regency(west_and_central_java):
    semarang_only = UserFactory(role=Role.VERIFIER)
    semarang_only.scope_regencies.add(SEMARANG)
    assert _counts(semarang_only)["verify"] == 2
    assert _counts(UserFactory(role=Role.VERIFIER))["verify"] == 0  # no scope: nothing (fail-closed)


def test_the_approver_counts_verified_applications_and_nothing_to_verify(approver, west_and_central_java):
    assert _counts(approver) == {"approve": 2}


def test_finance_counts_payable_tahap_batches_and_bank_exceptions(finance, west_and_central_java):
    PaymentBatch.objects.create(reference="B-1", created_by=finance)
    ReconciliationException.objects.create(
        kind=ReconciliationException.Kind.UNKNOWN_REFERENCE, payment_reference="X", file_name="hasil.csv",
        row_number=2, row={}, fingerprint="f1", created_by=finance,
    )  # fmt: skip
    assert _counts(finance) == {"payable": 2, "export": 1, "bank_results": 0, "exceptions": 1}


def test_a_tahap_held_by_a_payment_complaint_is_not_counted_as_payable(client, finance, west_and_central_java):
    held = Tranche.objects.filter(status=Tranche.Status.SCHEDULED).first()
    disbursement_services.tranche_hold_place(
        application=held.application, source="grievances.ticket:1", reason="Pengaduan pembayaran.", by=None
    )

    assert _counts(finance)["payable"] == 1
    client.force_login(finance)
    payable = next(item for item in work_queue.work_for(finance) if item.kind.key == "payable")
    listed = client.get(payable.url).context["cl"].result_list
    assert held not in listed and len(listed) == 1


def test_the_director_acts_on_nothing_and_watches_the_queues(director, west_and_central_java):
    assert _counts(director) == {}
    overview = {item.kind.key: item.count for item in work_queue.overview_for(director)}
    assert overview == {"verify": 4, "approve": 2, "reports": 0, "payable": 2, "exceptions": 0}


@pytest.mark.parametrize("persona", ["verifier", "approver", "finance", "director"])
def test_the_page_costs_the_same_queries_with_more_work(persona, request, client, django_assert_max_num_queries):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    client.get(reverse("admin:index"))  # warm: session, permissions
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("admin:index"))
    request.getfixturevalue("west_and_central_java")
    for _ in range(5):
        _application(BANDUNG, Application.Status.SUBMITTED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200


def test_the_verifier_lands_on_her_work_with_links_to_the_filtered_lists(client, verifier, west_and_central_java):
    client.force_login(verifier)
    response = client.get("/", follow=True)
    assert response.request["PATH_INFO"] == reverse("admin:index")
    html = response.content.decode()
    assert "Tugas saya" in html
    verify_link = reverse("admin:applications_application_changelist") + "?status__exact=submitted"
    assert f'href="{verify_link}"' in html
    assert "menunggu persetujuan" not in html  # the PPK's work is not offered
    assert reverse("dashboards:national") not in html
    assert client.get(verify_link).status_code == 200


def test_the_director_s_page_links_to_the_dashboard(client, director):
    client.force_login(director)
    html = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("dashboards:national")}"' in html


def test_the_verifier_s_list_opens_on_submitted_and_semua_stays_whole(client, verifier, west_and_central_java):
    client.force_login(verifier)
    url = reverse("admin:applications_application_changelist")
    assert client.get(url)["Location"] == url + "?status__exact=submitted"
    whole = client.get(url, {"status__exact": "semua"})
    assert whole.status_code == 200 and whole.context["cl"].result_count == 5  # drafts too, in Jawa Barat
