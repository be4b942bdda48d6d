"""No admin path around the services (issue 10): simple-history's revert is refused for every tracked
model and every role, superusers included; a hand-made POST to a change form cannot touch money,
status or identity and says why; nobody deletes a money or status row; a "Simpan" that changes
nothing writes nothing. Each test walks the admin registry, so a model added later is covered too."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import get_messages
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from disbursements.models import LedgerEntry
from jps_portal.admin_guards import ReadOnlyHistoryMixin, ServiceOnlyChangeMixin
from tests.factories import make_nik
from tests.money_world import build_money_world, snapshot

pytestmark = pytest.mark.django_db

# Every role of the portal, as the persona fixture that plays it.
ROLES = {
    "ketua": "applicant",
    "verifikator": "verifier",
    "ppk": "approver",
    "bendahara": "finance",
    "direktur": "director",
    "admin": "portal_admin",
    "superuser": "admin_user",
}
# Every model django-simple-history keeps a history of, and those of them with an admin.
HISTORY_TRACKED = [model for model in apps.get_models() if hasattr(model._meta, "simple_history_manager_attribute")]
TRACKED = [model for model in HISTORY_TRACKED if model in admin.site._registry]
# The admins of rows that carry money or status (or identity, for groups and members), and the
# fields a forged POST tries to change on each.
FORGED_CHANGES = {
    "applications.Application": {"status": "draft", "approved_amount": "1", "scheme": "999", "group": "999"},
    "applications.ApplicationStatusChange": {"to_status": "draft"},
    "applications.Flag": {"severity": "warn", "clear_note": "beres"},
    "applications.Scheme": {"amount_per_group": "1", "tranche_plan": "[50, 50]"},
    "applications.SubmissionIntake": {"status": "submitted"},
    "disbursements.Tranche": {"status": "scheduled", "amount": "1", "number": "2"},
    "disbursements.PaymentBatch": {"status": "open"},
    "disbursements.PaymentBatchLine": {"outcome": "pending", "amount": "1"},
    "disbursements.LedgerEntry": {"amount": "1"},
    "disbursements.ReconciliationException": {"status": "resolved", "resolution_note": "beres"},
    "disbursements.UsageReport": {"status": "accepted"},
    "disbursements.TreasuryReturn": {"amount": "1"},
    "groups.Group": {"bank": "008", "account_number": "9999999999", "account_holder": "Orang Lain"},
    "groups.Member": {"nik": make_nik(birth_date=datetime.date(1990, 5, 17), sex="L", serial=77)},
    "corrections.Correction": {"status": "confirmed", "new_values": '{"bank": "002"}', "decided_by": "1"},
}


@pytest.fixture
def world(applicant, approver, finance):
    return build_money_world(ketua=applicant, approver=approver, finance=finance)


def _object(world, label: str):  # noqa: ANN202
    by_label = {
        "applications.Application": world.application,
        "applications.ApplicationStatusChange": world.application.status_changes.order_by("pk").last(),
        "applications.Flag": world.flag,
        "applications.Scheme": world.scheme,
        "applications.SubmissionIntake": world.intake,
        "disbursements.Tranche": world.tranche,
        "disbursements.PaymentBatch": world.batch,
        "disbursements.PaymentBatchLine": world.batch.lines.get(),
        "disbursements.LedgerEntry": LedgerEntry.objects.get(kind=LedgerEntry.Kind.PAID),
        "disbursements.ReconciliationException": world.exception,
        "disbursements.UsageReport": world.report,
        "disbursements.TreasuryReturn": world.treasury_return,
        "groups.Group": world.group,
        "groups.Member": world.member,
        "corrections.Correction": world.correction,
    }
    if label in by_label:
        return by_label[label]
    return apps.get_model(label)._default_manager.order_by("pk").first()  # the world's only row of it


def _request_as(user):  # noqa: ANN202
    request = RequestFactory().post("/")
    request.user = user
    return request


def _messages(response) -> str:  # noqa: ANN001
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def _url(obj, view: str, *args: object) -> str:  # noqa: ANN001
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk, *args])


def _form_values(instance) -> dict[str, str]:  # noqa: ANN001
    return {name: str(value) for name, value in model_to_dict(instance).items() if value is not None}


def test_every_history_admin_refuses_revert_and_history_is_read_only_by_setting(settings):
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True
    assert {model._meta.label for model in TRACKED} >= {
        "applications.Application",
        "applications.Scheme",
        "applications.Flag",
        "groups.Group",
        "groups.Member",
        "disbursements.Tranche",
        "disbursements.UsageReport",
        "disbursements.TreasuryReturn",
    }
    for model in HISTORY_TRACKED:
        model_admin = admin.site._registry.get(model)
        if model_admin is not None:
            assert isinstance(model_admin, ReadOnlyHistoryMixin), model._meta.label


@pytest.mark.parametrize("role", ROLES)
def test_revert_of_every_tracked_model_changes_nothing_for_every_role(request, client, world, role):
    """The story of issue 10 (a paid tahap reverted to "Terjadwal") for every model and role: GET
    and POST on the revert URL of the oldest version leave every money, status and identity row —
    and every history table — as it was."""
    user = request.getfixturevalue(ROLES[role])
    client.force_login(user)
    for model in TRACKED:
        obj = _object(world, model._meta.label)
        oldest = obj.history.order_by("history_date", "history_id").first()
        url = _url(obj, "simple_history", oldest.history_id)
        before = snapshot()
        responses = [client.get(url), client.post(url, {**_form_values(oldest.instance), "_save": "Kembalikan"})]
        assert snapshot() == before, (role, model._meta.label)
        may_view = admin.site._registry[model].has_view_or_change_permission(_request_as(user), obj)
        for response in responses:
            if role == "ketua":
                assert response.status_code == 302 and "/admin/login/" in response["Location"]
            elif may_view:
                assert (response.status_code, response["Location"]) == (302, _url(obj, "history")), model
                assert "Riwayat hanya dapat dibaca" in _messages(response)
            else:
                assert response.status_code == 403, (role, model._meta.label)


def test_the_history_page_stays_readable_without_revert_links(client, world, finance):
    client.force_login(finance)
    page = client.get(_url(world.tranche, "history")).content.decode()
    assert "/history/" + str(world.tranche.history.first().history_id) not in page
    assert "Kembalikan" not in page and "Revert" not in page


def test_a_history_page_out_of_the_officers_region_is_a_404(client, world, verifier):
    verifier.scope_provinces.set(["33"])
    client.force_login(verifier)
    oldest = world.member.history.first()
    assert client.get(_url(world.member, "history")).status_code == 404
    assert client.post(_url(world.member, "simple_history", oldest.history_id), {}).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_a_forged_post_to_a_protected_field_changes_nothing_and_says_why(request, client, world, role):
    user = request.getfixturevalue(ROLES[role])
    client.force_login(user)
    for label, forged in FORGED_CHANGES.items():
        obj = _object(world, label)
        model_admin = admin.site._registry[type(obj)]
        url = _url(obj, "change")
        before = snapshot()
        response = client.post(url, {**forged, "_save": "Simpan"})
        assert snapshot() == before, (role, label)
        if role == "ketua":
            assert response.status_code == 302 and "/admin/login/" in response["Location"]
        elif model_admin.has_change_permission(_request_as(user), obj):
            assert (response.status_code, response["Location"]) == (302, url), (role, label)
            assert "Tidak ada yang disimpan" in _messages(response), (role, label)
        else:
            assert response.status_code == 403, (role, label)


def test_every_money_status_and_identity_admin_is_guarded_and_deletes_nothing(
    world, applicant, verifier, approver, finance, director, portal_admin, admin_user
):
    for label in FORGED_CHANGES:
        obj = _object(world, label)
        model_admin = admin.site._registry[type(obj)]
        assert isinstance(model_admin, ServiceOnlyChangeMixin), label
        for user in (verifier, approver, finance, director, portal_admin, admin_user):
            request = _request_as(user)
            assert not model_admin.has_delete_permission(request, obj), (label, user)
            assert "delete_selected" not in model_admin.get_actions(request), (label, user)
            if model_admin.has_change_permission(request, obj):
                readonly = set(model_admin.get_readonly_fields(request, obj))
                assert set(FORGED_CHANGES[label]) <= readonly, (label, user)


@pytest.mark.parametrize("role", ROLES)
def test_the_delete_and_add_pages_of_money_and_status_rows_write_nothing(request, client, world, role):
    user = request.getfixturevalue(ROLES[role])
    client.force_login(user)
    for label in FORGED_CHANGES:
        obj = _object(world, label)
        before = snapshot()
        deleted = client.post(_url(obj, "delete"), {"post": "yes"})
        added = client.post(reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_add"), forged_add(label))
        assert snapshot() == before, (role, label)
        if role != "ketua":
            assert deleted.status_code == 403, (role, label)
            if label != "applications.Scheme":  # next year's scheme is added here (by the administrator)
                assert added.status_code == 403, (role, label)


def forged_add(label: str) -> dict[str, str]:
    return {**FORGED_CHANGES[label], "_save": "Simpan"}


def test_no_admin_imports_spreadsheets_or_edits_in_the_list():
    for model, model_admin in admin.site._registry.items():
        assert not hasattr(model_admin, "import_action"), model._meta.label
        assert not model_admin.list_editable, model._meta.label


def test_a_save_that_changes_nothing_writes_no_history_row_and_says_so(client, world, finance):
    client.force_login(finance)
    url = _url(world.tranche, "change")
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page and 'name="_continue"' not in page  # nothing to save here
    history = world.tranche.history.count()
    response = client.post(url, {"_save": "Simpan"})
    assert (response.status_code, response["Location"]) == (302, url)
    assert "Tidak ada perubahan" in _messages(response)
    assert world.tranche.history.count() == history


def test_an_officer_still_edits_what_is_not_money_status_or_identity(client, world, verifier):
    """The group's address stays editable (its history row records who); the bank account beside
    it is read-only on the page."""
    client.force_login(verifier)
    url = _url(world.group, "change")
    page = client.get(url).content.decode()
    assert 'name="address"' in page and 'name="account_number"' not in page and 'name="bank"' not in page
    data = {
        "name": world.group.name,
        "village": world.group.village,
        "address": "Jl. Baru 2",
        "phone": world.group.phone,
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "_save": "Simpan",
    }
    assert client.post(url, data).status_code == 302
    world.group.refresh_from_db()
    assert world.group.address == "Jl. Baru 2"
    assert world.group.history.latest().history_user == verifier


def test_a_funded_groups_members_are_read_only_in_the_group_page(client, world, verifier):
    client.force_login(verifier)
    page = client.get(_url(world.group, "change")).content.decode()
    assert 'name="members-0-nik"' not in page and 'name="members-0-phone"' not in page
    assert 'name="members-0-DELETE"' not in page


def test_a_quota_cannot_drop_below_what_is_approved(client, world, admin_user):
    quota = world.scheme.quotas.get()
    client.force_login(admin_user)
    data = {
        "name": world.scheme.name,
        "dipa_number": "",
        "members_min": world.scheme.members_min,
        "members_max": world.scheme.members_max,
        "age_min": world.scheme.age_min,
        "age_max": world.scheme.age_max,
        "opens_on": world.scheme.opens_on.isoformat(),
        "closes_on": world.scheme.closes_on.isoformat(),
        "quotas-TOTAL_FORMS": "1",
        "quotas-INITIAL_FORMS": "1",
        "quotas-0-id": str(quota.pk),
        "quotas-0-scheme": str(world.scheme.pk),
        "quotas-0-groups": "0",
        "quotas-0-budget": str(quota.budget),
        "_save": "Simpan",
    }
    response = client.post(_url(world.scheme, "change"), data)
    assert response.status_code == 200
    assert "tidak dapat kurang dari 1 kelompok yang sudah disetujui" in response.content.decode()
    quota.refresh_from_db()
    assert quota.groups == 10
