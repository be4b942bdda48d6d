"""A group sees and changes only its own application; bad input is shown as text or refused, never a 500."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from applications import services
from applications.models import Application, ApplicationDocument
from tests.factories import ApplicationFactory, GroupFactory, SchemeFactory, UserFactory, add_members

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today_inside_the_2020_window(monkeypatch, settings, tmp_path):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2020, 10, 3))
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def siti(client, applicant):
    GroupFactory(user=applicant)
    client.force_login(applicant)
    return client


@pytest.fixture
def theirs():
    """Another kelompok's draft with one uploaded document."""
    group = GroupFactory(user=UserFactory(username="joko"))
    application = ApplicationFactory(group=group, business_type="Bengkel las")
    ApplicationDocument.objects.create(
        application=application,
        kind="proposal",
        file=SimpleUploadedFile("proposal.pdf", PDF),
        original_name="proposal.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    return application


def _urls(application: Application) -> list[tuple[str, str]]:
    document = application.documents.get()
    return [
        ("get", reverse("applications:detail", args=[application.pk])),
        ("get", reverse("applications:edit", args=[application.pk])),
        ("post", reverse("applications:edit", args=[application.pk])),
        ("get", reverse("applications:documents", args=[application.pk])),
        ("post", reverse("applications:documents", args=[application.pk])),
        ("post", reverse("applications:submit", args=[application.pk])),
        ("get", reverse("applications:document", args=[document.pk])),
        ("post", reverse("applications:document_delete", args=[document.pk])),
    ]


def test_every_url_with_another_groups_ids_is_a_404_and_changes_nothing(siti, theirs):
    for method, url in _urls(theirs):
        data = {"business_type": "Diretas", "requested_amount": "1", "kind": "sk"} if method == "post" else None
        response = getattr(siti, method)(url, data)
        assert response.status_code == 404, (method, url)
    theirs.refresh_from_db()
    assert (theirs.business_type, theirs.status) == ("Bengkel las", Application.Status.DRAFT)
    assert theirs.documents.count() == 1


def test_every_url_sends_an_anonymous_visitor_to_the_login_page(theirs):
    urls = [reverse("applications:list"), reverse("applications:new"), *(url for _method, url in _urls(theirs))]
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url


def test_a_form_posted_without_the_csrf_token_is_refused(applicant):
    GroupFactory(user=applicant)
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    SchemeFactory()
    assert client.post(reverse("applications:new"), {"scheme": "1"}).status_code == 403


@pytest.fixture
def draft(applicant):
    group = GroupFactory(user=applicant)
    add_members(group, 3)
    return services.application_create(group=group, scheme=SchemeFactory(), by=applicant)


XSS = "<script>alert('jps')</script>"


def test_html_typed_into_the_proposal_is_shown_as_text(client, applicant, draft):
    client.force_login(applicant)
    client.post(
        reverse("applications:edit", args=[draft.pk]),
        {"business_type": XSS, "business_plan": XSS, "requested_amount": "40.000.000"},
    )
    draft.refresh_from_db()
    assert draft.business_type == XSS
    html = client.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert XSS not in html
    assert "&lt;script&gt;alert(&#x27;jps&#x27;)&lt;/script&gt;" in html


def test_html_in_an_officers_note_is_shown_as_text(client, applicant, draft, verifier):
    Application.objects.filter(pk=draft.pk).update(status=Application.Status.SUBMITTED)
    services.application_request_revision(application=draft, by=verifier, reason_codes=["lainnya"], note=XSS)
    client.force_login(applicant)
    html = client.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert XSS not in html
    assert "&lt;script&gt;" in html


def test_a_huge_text_is_refused_with_a_message(client, applicant, draft):
    client.force_login(applicant)
    response = client.post(
        reverse("applications:edit", args=[draft.pk]),
        {"business_plan": "x" * 200_000, "requested_amount": "9" * 40},
    )
    assert response.status_code == 200
    assert "paling banyak 10000 karakter" in response.content.decode()
    draft.refresh_from_db()
    assert draft.business_plan == ""


@pytest.mark.parametrize("name", ["applications:edit", "applications:documents", "applications:submit"])
def test_an_empty_post_is_never_an_error_page(client, applicant, draft, name):
    client.force_login(applicant)
    assert client.post(reverse(name, args=[draft.pk]), {}).status_code in (200, 302)
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


def test_the_list_page_takes_a_fixed_number_of_queries(client, applicant, draft, django_assert_max_num_queries):
    client.force_login(applicant)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("applications:list")).status_code == 200
