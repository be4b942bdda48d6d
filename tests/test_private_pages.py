"""Pages for a logged-in user are never kept by a browser or a proxy (jps_portal.middleware)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("url", [reverse("groups:home"), reverse("groups:profile"), reverse("applications:list")])
def test_a_ketuas_pages_are_private_and_never_stored(client, applicant, url):
    client.force_login(applicant)

    response = client.get(url)

    assert {"private", "no-store"} <= cache_control(response)
    assert "public" not in cache_control(response)


@pytest.mark.parametrize("url", ["/admin/", "/admin/applications/application/", reverse("dashboards:national")])
def test_officers_pages_are_private_and_never_stored(client, director, url):
    client.force_login(director)

    response = client.get(url)

    assert {"private", "no-store"} <= cache_control(response)
