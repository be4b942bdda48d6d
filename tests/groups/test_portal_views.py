import datetime

import pytest
from django.urls import reverse

from applications.models import Application
from groups.models import Group, Member
from tests.factories import ApplicationFactory, GroupFactory, MemberFactory, UserFactory, add_members, make_nik

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "Kelompok Tani Makmur",
    "province": "32",
    "regency": "32.04",
    "village": "Dayeuhkolot",
    "address": "Jl. Sukabirus No. 7",
    "phone": "+62 812-3456-7890",
    "sk_number": "SK/01/2026",
    "sk_date": "2026-01-05",
    "bank": "002",
    "account_number": "0123 4567 8901 234",
    "account_holder": "Kelompok Tani Makmur",
}


def _member_data(prefix: str = "", **fields) -> dict[str, str]:
    born = fields.pop("birth_date", datetime.date(1990, 5, 17))
    sex = fields.pop("sex", "L")
    values = {
        "nik": make_nik(birth_date=born, sex=sex),
        "name": "Asep Sunandar",
        "sex": sex,
        "birth_date": born.isoformat(),
        "role": "anggota",
        "employment_status": "korban_phk",
        "phone": "",
        **fields,
    }
    return {f"{prefix}{key}": value for key, value in values.items() if value is not None}


@pytest.fixture
def own_group(applicant):
    return GroupFactory(user=applicant, year=datetime.date.today().year)


def test_the_public_home_explains_how_to_apply(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Daftar sebagai ketua kelompok" in response.content.decode()


def test_staff_are_sent_to_the_admin(client, verifier):
    client.force_login(verifier)
    assert client.get("/").url == reverse("admin:index")


def test_a_new_ketua_creates_the_group_profile(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("groups:profile"), PROFILE)
    assert response.status_code == 302
    group = Group.objects.get(user=applicant)
    assert group.year == datetime.date.today().year
    assert group.phone == "081234567890"
    assert group.account_number == "012345678901234"
    assert group.regency_id == "32.04"


def test_the_regency_list_follows_the_province_without_javascript(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("groups:profile"), {**PROFILE, "province": "36", "refresh_regencies": "1"})
    assert response.status_code == 200
    regencies = [code for code, _label in response.context["form"].fields["regency"].choices if code]
    assert regencies and all(str(code).startswith("36.") for code in regencies)
    assert not Group.objects.exists()


def test_a_regency_outside_the_chosen_province_is_refused(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("groups:profile"), {**PROFILE, "province": "36"})
    assert response.status_code == 200
    assert response.context["form"].errors["regency"]
    assert not Group.objects.exists()


def test_the_regency_options_endpoint_lists_a_provinces_regencies(client):
    data = client.get(reverse("groups:regency_options"), {"province": "34"}).json()
    assert {"code": "34.71", "name": "Kota Yogyakarta"} in data["regencies"]


def test_a_member_is_added_with_a_valid_nik(client, applicant, own_group):
    client.force_login(applicant)
    response = client.post(reverse("groups:member_add"), _member_data(name="Ma'ruf"))
    assert response.status_code == 302
    assert own_group.members.get().name == "Ma'ruf"
    assert own_group.members.get().year == own_group.year


@pytest.mark.parametrize("nik", ["12345", "3204123102900001", "9999991705900001", "3204121705900000"])
def test_an_invalid_nik_is_refused_with_a_reason(client, applicant, own_group, nik):
    client.force_login(applicant)
    response = client.post(reverse("groups:member_add"), _member_data(nik=nik))
    assert response.status_code == 200
    assert response.context["form"].errors["nik"]
    assert not own_group.members.exists()


def test_a_birth_date_unlike_the_nik_is_refused_until_the_ketua_confirms_the_ktp(client, applicant, own_group):
    client.force_login(applicant)
    data = _member_data()
    data["birth_date"] = "1990-05-18"
    response = client.post(reverse("groups:member_add"), data)
    assert "NIK menunjukkan 17-05-1990" in str(response.context["form"].errors["birth_date"])
    assert not own_group.members.exists()
    response = client.post(reverse("groups:member_add"), {**data, "confirm_mismatch": "on"})
    assert response.status_code == 302
    assert own_group.members.get().birth_date == datetime.date(1990, 5, 18)


def test_a_nik_used_this_year_by_another_group_is_refused_without_naming_it(client, applicant, own_group):
    other = GroupFactory(name="Kelompok Rahasia", year=own_group.year)
    taken = MemberFactory(group=other, year=other.year)
    client.force_login(applicant)
    response = client.post(reverse("groups:member_add"), _member_data(nik=taken.nik))
    page = response.content.decode()
    assert "sudah terdaftar di kelompok lain" in page
    assert "Kelompok Rahasia" not in page and other.code not in page
    assert not own_group.members.exists()


def test_a_whole_group_of_twenty_is_entered_on_one_page(client, applicant, own_group):
    client.force_login(applicant)
    page = client.get(reverse("groups:members_edit"))
    assert page.context["formset"].total_form_count() == 20
    data = {"members-TOTAL_FORMS": "20", "members-INITIAL_FORMS": "0"}
    roles = ["ketua", "sekretaris", "bendahara"] + ["anggota"] * 17
    for row, role in enumerate(roles):
        born = datetime.date(1980 + row, 1 + row % 12, 1 + row)
        data |= _member_data(f"members-{row}-", role=role, birth_date=born, name=f"Anggota {row}")
    response = client.post(reverse("groups:members_edit"), data)
    assert response.status_code == 302, response.context["formset"].errors
    assert own_group.members.count() == 20
    assert own_group.members.get(role="ketua").name == "Anggota 0"


def test_the_same_nik_twice_in_one_list_is_refused_and_nothing_saved(client, applicant, own_group):
    client.force_login(applicant)
    row = _member_data()
    data = {"members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "0"}
    data |= {f"members-0-{k}": v for k, v in row.items()} | {f"members-1-{k}": v for k, v in row.items()}
    response = client.post(reverse("groups:members_edit"), data)
    assert "NIK ini sama dengan baris 1 (Asep Sunandar)." in response.content.decode()
    assert not own_group.members.exists()


def test_two_members_can_swap_the_ketua_role_in_one_save(client, applicant, own_group):
    first = MemberFactory(group=own_group, year=own_group.year, role="ketua")
    second = MemberFactory(group=own_group, year=own_group.year, role="anggota")
    client.force_login(applicant)
    data = {"members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "2"}
    for row, (member, role) in enumerate([(first, "anggota"), (second, "ketua")]):
        data |= _member_data(
            f"members-{row}-", nik=member.nik, name=member.name, birth_date=member.birth_date, role=role
        )
        data[f"members-{row}-id"] = str(member.pk)
    response = client.post(reverse("groups:members_edit"), data)
    assert response.status_code == 302
    assert own_group.members.get(role="ketua") == second


def test_a_refused_row_points_at_its_own_row(client, applicant, own_group):
    taken = MemberFactory(group=GroupFactory(year=own_group.year), year=own_group.year)
    client.force_login(applicant)
    data = {"members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "0"}
    data |= _member_data("members-0-", birth_date=datetime.date(1991, 1, 1))
    data |= _member_data("members-1-", nik=taken.nik)
    response = client.post(reverse("groups:members_edit"), data)
    formset = response.context["formset"]
    assert not formset.forms[0].errors and formset.forms[1].errors["nik"]
    assert not own_group.members.exists()  # all or nothing


def test_another_groups_members_are_not_found(client, applicant, own_group):
    stranger = MemberFactory()
    client.force_login(applicant)
    assert client.get(reverse("groups:member_edit", args=[stranger.pk])).status_code == 404
    assert client.post(reverse("groups:member_remove", args=[stranger.pk])).status_code == 404
    assert Member.objects.filter(pk=stranger.pk).exists()


def test_members_cannot_change_while_the_application_is_under_review(client, applicant, own_group):
    member = MemberFactory(group=own_group, year=own_group.year)
    ApplicationFactory(group=own_group, status=Application.Status.SUBMITTED)
    client.force_login(applicant)
    client.post(reverse("groups:member_remove", args=[member.pk]))
    assert Member.objects.filter(pk=member.pk).exists()
    response = client.post(reverse("groups:member_add"), _member_data())
    assert "tidak dapat diubah" in response.content.decode()


def test_the_nik_check_endpoint_reads_sex_and_birth_date(client, applicant):
    client.force_login(applicant)
    data = client.get(reverse("groups:nik_check"), {"nik": "3204 1257 0590 0001"}).json()
    assert data == {
        "nik": "3204125705900001",
        "valid": True,
        "errors": [],
        "sex": "P",
        "birth_date": "1990-05-17",
    }
    assert client.get(reverse("groups:nik_check"), {"nik": "x" * 5000}).json()["valid"] is False


def test_a_script_in_a_name_is_shown_as_text(client, applicant, own_group):
    MemberFactory(group=own_group, year=own_group.year, name="<script>alert(1)</script>")
    client.force_login(applicant)
    page = client.get(reverse("groups:members")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("url_name", ["groups:profile", "groups:member_add", "groups:members_edit"])
def test_garbage_posts_never_fail_with_a_server_error(client, applicant, own_group, url_name):
    client.force_login(applicant)
    for data in ({}, {"members-TOTAL_FORMS": "x"}, {"birth_date": "31-31-31", "nik": "🙂" * 20, "sex": "X"}):
        assert client.post(reverse(url_name), data).status_code in (200, 302)


def test_pages_need_a_login(client):
    for name in ("groups:profile", "groups:members", "groups:member_add", "groups:members_edit"):
        assert client.get(reverse(name)).status_code == 302


def test_another_user_sees_their_own_group_only(client, own_group):
    other = UserFactory()
    add_members(own_group, 3)
    client.force_login(other)
    response = client.get(reverse("groups:members"))
    assert response.status_code == 302  # no group yet: sent to create one


def test_a_birth_date_typed_day_first_is_understood(client, applicant, own_group):
    client.force_login(applicant)
    response = client.post(reverse("groups:member_add"), _member_data() | {"birth_date": "17-05-1990"})
    assert response.status_code == 302
    assert own_group.members.get().birth_date == datetime.date(1990, 5, 17)


def test_the_live_nik_feedback_speaks_the_pages_language(client, applicant, own_group):
    client.force_login(applicant)
    assert 'data-msg-valid="NIK valid:"' in client.get(reverse("groups:member_add")).content.decode()
    client.cookies["django_language"] = "en"
    assert 'data-msg-valid="Valid NIK:"' in client.get(reverse("groups:member_add")).content.decode()
