"""The work list a mentor reloads all day is served from the cache without loading the user, but only
to the session whose checks passed a moment ago — and never past a change that should stop it."""

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from mentoring import services
from tests.mentoring.conftest import make_funded_group

pytestmark = pytest.mark.django_db
WORKLIST = "mentoring:worklist"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mentor_client(mentor, coordinator):
    for _ in range(3):
        make_funded_group()
    services.caseload_balance(regency_code="32.04", by=coordinator)
    client = Client()
    client.force_login(mentor)
    assert client.get(reverse(WORKLIST)).status_code == 200  # the full checks, then the page is kept
    return client


def _user_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "accounts_user" in q["sql"] or "auth_group" in q["sql"]]


def test_a_reload_loads_neither_the_user_nor_the_role(mentor_client, mentor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = mentor_client.get(reverse(WORKLIST))
    assert response.status_code == 200
    body = response.content.decode()
    assert all(name in body for name in services.caseload_groups(mentor).values_list("name", flat=True))
    assert _user_queries(queries.captured_queries) == []
    # Still a private page: the session names a user even though none was loaded.
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_deactivated_mentor_is_refused_at_once(mentor_client, mentor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mentor.is_active = False
        mentor.save()
    response = mentor_client.get(reverse(WORKLIST))
    assert response.status_code in (302, 403)
    assert response.status_code != 200


def test_a_mentor_stripped_of_the_role_is_refused_at_once(mentor_client, mentor,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        mentor.groups.remove(AuthGroup.objects.get(name=Role.MENTOR.value))
    assert mentor_client.get(reverse(WORKLIST)).status_code == 403


def test_a_role_emptied_from_its_side_refuses_its_members(mentor_client, mentor,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        AuthGroup.objects.get(name=Role.MENTOR.value).user_set.remove(mentor)
    assert mentor_client.get(reverse(WORKLIST)).status_code == 403


def test_a_password_changed_elsewhere_logs_this_session_out(mentor_client, mentor,
                                                            django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        mentor.set_password("kata-sandi-baru-2026")
        mentor.save()
    response = mentor_client.get(reverse(WORKLIST))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_another_session_of_another_role_gets_no_kept_page(mentor_client, director):
    other = Client()
    other.force_login(director)
    assert other.get(reverse(WORKLIST)).status_code == 403


def test_after_logout_the_kept_page_is_not_served(mentor_client):
    mentor_client.logout()
    response = mentor_client.get(reverse(WORKLIST))
    assert response.status_code == 302


def test_a_stolen_session_id_with_another_users_hash_is_not_trusted(mentor_client, mentor, other_mentor):
    """The remembered access is bound to the session's user and session hash: a session whose user
    changed (a new login in the same browser) is checked afresh and sees its own list."""
    mentor_client.force_login(other_mentor)
    response = mentor_client.get(reverse(WORKLIST))
    assert response.status_code == 200
    mine = set(services.caseload_groups(other_mentor).values_list("name", flat=True))
    theirs = set(services.caseload_groups(mentor).values_list("name", flat=True)) - mine
    body = response.content.decode()
    assert all(name in body for name in mine)
    assert not any(name in body for name in theirs)
