"""Sessions with Redis down: read and written through the database, nobody logged out, no 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@pytest.fixture
def cached_db_sessions(settings):
    settings.SESSION_ENGINE = "accounts.sessions"


def test_a_logged_in_officer_keeps_working_when_redis_goes_down(client, director, settings, cached_db_sessions):
    client.force_login(director)
    settings.CACHES = DEAD_REDIS

    response = client.get(reverse("dashboards:national"))

    assert response.status_code == 200
    assert response.wsgi_request.user == director


def test_logging_in_and_out_work_with_redis_down(client, director, settings, cached_db_sessions):
    settings.CACHES = DEAD_REDIS

    response = client.post(
        reverse("accounts:login"), {"username": director.email, "password": "rahasia-123"}, follow=True
    )
    assert response.wsgi_request.user == director
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("dashboards:national")).status_code == 302
