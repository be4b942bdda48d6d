"""Persona fixtures: the people who use the portal, as tests talk about them."""

import importlib

import pytest
from django.apps import apps

from accounts.models import Role
from groups.models import Bank
from regions.models import Province
from tests.factories import UserFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data comes from data migrations, and a transactional test's flush empties it; a
    database reused from such a run (``--reuse-db``) gets it back here."""
    with django_db_blocker.unblock():
        restore_reference_data()


@pytest.fixture
def reference_data(transactional_db):
    """For tests with real commits: the regions, banks and roles a flush by an earlier such test
    removed. (Not ``serialized_rollback``: reloading a snapshot on top of the roles that a flush's
    post_migrate re-creates collides on their unique names.)"""
    restore_reference_data()


def restore_reference_data() -> None:
    """Regions, banks and the role groups, loaded again if a flush removed them."""
    from accounts.roles import roles_sync

    if not Province.objects.exists():
        importlib.import_module("regions.migrations.0002_load_regions").load(apps, None)
    if not Bank.objects.exists():
        importlib.import_module("groups.migrations.0002_load_banks").load(apps, None)
    if not apps.get_model("grievances", "Category").objects.exists():
        importlib.import_module("grievances.migrations.0002_categories").load(apps, None)
        # Later data migrations that edit the categories, applied again on top of the reload.
        importlib.import_module("grievances.migrations.0005_tranche_holds").payment_complaints_hold(apps, None)
    roles_sync()


@pytest.fixture(autouse=True)
def _indonesian_by_default():
    """Each test starts in the portal's default language; a request in English (LocaleMiddleware
    activates it for the thread) must not leak into the next test's messages."""
    from django.utils import translation

    translation.activate("id")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (throttles and once-only marks live there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _broker_breaker_closed():
    """Each test starts with the publishing breaker closed: a test that takes the broker down must
    not leave later tests' tasks skipped."""
    from jps_portal.celery import broker_breaker

    broker_breaker().reset()
    yield
    broker_breaker().reset()


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    """SMS and WhatsApp go to ``notifications.sms.outbox`` in tests (like Django's mail.outbox): emptied per test."""
    from notifications import sms

    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def applicant(db):
    """Siti, ketua of a kelompok, with a portal account."""
    return UserFactory(username="siti", first_name="Siti", role=Role.GROUP)


@pytest.fixture
def verifier(db):
    """Budi, verifikator at Disnaker Jawa Barat."""
    user = UserFactory(username="budi", first_name="Budi", role=Role.VERIFIER)
    user.scope_provinces.add("32")
    return user


@pytest.fixture
def second_verifier(db):
    """Dewi, verifikator at the Direktorat (national scope)."""
    return UserFactory(username="dewi", first_name="Dewi", role=Role.VERIFIER, scope_national=True)


@pytest.fixture
def approver(db):
    """Rahmat, PPK at the Direktorat."""
    return UserFactory(username="rahmat", first_name="Rahmat", scope_national=True, role=Role.APPROVER)


@pytest.fixture
def finance(db):
    return UserFactory(username="wulan", first_name="Wulan", scope_national=True, role=Role.FINANCE)


@pytest.fixture
def director(db):
    return UserFactory(username="hendra", first_name="Hendra", scope_national=True, role=Role.DIRECTOR)


@pytest.fixture
def integrity_officer(db):
    """Ratna, of the national integrity team (sensitive complaints only)."""
    return UserFactory(username="ratna", first_name="Ratna", role=Role.INTEGRITY, scope_national=True)


@pytest.fixture
def portal_admin(db):
    """Yanti, administrator of the portal (every permission of the portal's apps), national."""
    return UserFactory(username="yanti", first_name="Yanti", scope_national=True, role=Role.ADMIN)
