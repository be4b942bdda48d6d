"""Issue 11 §1: the ketua's member page on a phone — NIKs typed with separators, sex and birth date
that follow the NIK, an error summary that names rows, and drafts that keep every typed row."""

import datetime

import pytest
from django.urls import reverse

from groups.forms import MemberForm
from groups.models import MemberDraft
from tests.factories import GroupFactory, MemberFactory, make_nik

pytestmark = pytest.mark.django_db

BORN = datetime.date(1990, 5, 17)


@pytest.fixture
def own_group(applicant):
    return GroupFactory(user=applicant, year=datetime.date.today().year)


def _spaced(nik: str, sep: str = " ") -> str:
    return sep.join(nik[i : i + 4] for i in range(0, 16, 4))


def _row(prefix: str, nik: str, *, name: str = "Asep Sunandar", **fields: str) -> dict[str, str]:
    values = {"nik": nik, "name": name, "sex": "", "birth_date": "", "role": "anggota"}
    values |= {"employment_status": "korban_phk", "phone": "", "derived": "", **fields}
    return {f"{prefix}{key}": value for key, value in values.items()}


def _list(*rows: dict[str, str]) -> dict[str, str]:
    data = {"members-TOTAL_FORMS": str(len(rows)), "members-INITIAL_FORMS": "0"}
    for row in rows:
        data |= row
    return data


def test_the_nik_input_takes_a_nik_typed_in_groups_of_four():
    html = str(MemberForm()["nik"])
    assert 'maxlength="24"' in html and 'maxlength="16"' not in html


@pytest.mark.parametrize("sep", [" ", ".", "-"])
def test_a_nik_typed_with_separators_is_saved_as_sixteen_digits(client, applicant, own_group, sep):
    nik = make_nik(birth_date=BORN, sex="L")
    client.force_login(applicant)
    response = client.post(reverse("groups:members_edit"), _list(_row("members-0-", _spaced(nik, sep))))
    assert response.status_code == 302
    member = own_group.members.get()
    assert member.nik == nik and member.sex == "L" and member.birth_date == BORN


def test_the_single_member_form_takes_a_spaced_nik_too(client, applicant, own_group):
    nik = make_nik(birth_date=BORN, sex="P")
    client.force_login(applicant)
    data = {k.removeprefix("x-"): v for k, v in _row("x-", _spaced(nik)).items()}
    assert client.post(reverse("groups:member_add"), data).status_code == 302
    assert own_group.members.get().nik == nik


def test_sex_and_birth_date_left_empty_come_from_the_nik(client, applicant, own_group):
    nik = make_nik(birth_date=datetime.date(1985, 3, 9), sex="P")
    client.force_login(applicant)
    client.post(reverse("groups:members_edit"), _list(_row("members-0-", nik)))
    member = own_group.members.get()
    assert (member.sex, member.birth_date) == ("P", datetime.date(1985, 3, 9))


def test_a_corrected_nik_refreshes_the_derived_sex_and_birth_date(client, applicant, own_group):
    """The bug: after a failed save the old NIK's date stayed, and the next save failed on it."""
    wrong = make_nik(birth_date=datetime.date(1987, 2, 14), sex="L")[:13]  # 13 digits: refused
    client.force_login(applicant)
    # The script had filled sex and birth date from an earlier (valid) NIK and marked them derived.
    first = _row("members-0-", wrong, sex="L", birth_date="1987-02-14", derived="birth_date sex")
    response = client.post(reverse("groups:members_edit"), _list(first))
    assert response.status_code == 200 and not own_group.members.exists()
    form = response.context["formset"].forms[0]
    assert form["birth_date"].value() == "" and form["sex"].value() == ""  # nothing stale is shown
    right = make_nik(birth_date=datetime.date(1992, 8, 30), sex="P")
    sent = {**first, "members-0-nik": right, "members-0-derived": form["derived"].value()}
    response = client.post(reverse("groups:members_edit"), _list(sent))
    assert response.status_code == 302, response.context["formset"].errors
    member = own_group.members.get()
    assert (member.sex, member.birth_date) == ("P", datetime.date(1992, 8, 30))


def test_the_page_shows_the_new_niks_values_after_a_failed_save(client, applicant, own_group):
    client.force_login(applicant)
    right = make_nik(birth_date=datetime.date(1992, 8, 30), sex="P")
    row = _row("members-0-", right, sex="L", birth_date="1987-02-14", derived="birth_date sex", name="")
    response = client.post(reverse("groups:members_edit"), _list(row))  # refused: no name
    form = response.context["formset"].forms[0]
    assert (form["sex"].value(), form["birth_date"].value()) == ("P", "1992-08-30")
    assert "confirm_mismatch" not in form.errors and not form.errors.get("birth_date")
    assert "Saya sudah memeriksa KTP" not in response.content.decode()


def test_the_mismatch_confirmation_covers_only_what_the_ketua_typed(client, applicant, own_group):
    nik = make_nik(birth_date=BORN, sex="L")
    client.force_login(applicant)
    typed = _row("members-0-", nik, sex="L", birth_date="1990-05-18", derived="sex")
    response = client.post(reverse("groups:members_edit"), _list(typed))
    assert "NIK menunjukkan 17-05-1990" in str(response.context["formset"].forms[0].errors["birth_date"])
    assert "Saya sudah memeriksa KTP" in response.content.decode()
    response = client.post(reverse("groups:members_edit"), _list({**typed, "members-0-confirm_mismatch": "on"}))
    assert response.status_code == 302
    assert own_group.members.get().birth_date == datetime.date(1990, 5, 18)  # what was typed, confirmed


def test_a_confirmed_mismatch_never_keeps_a_derived_value_of_an_old_nik(client, applicant, own_group):
    """Ticking the box after correcting the NIK stores the new NIK's values, never the stale ones."""
    new = make_nik(birth_date=datetime.date(1970, 1, 2), sex="L")
    row = _row("members-0-", new, sex="P", birth_date="1999-09-09", derived="birth_date sex", confirm_mismatch="on")
    client.force_login(applicant)
    assert client.post(reverse("groups:members_edit"), _list(row)).status_code == 302
    member = own_group.members.get()
    assert (member.sex, member.birth_date) == ("L", datetime.date(1970, 1, 2))


def test_a_duplicate_nik_names_the_other_row_and_the_summary_links_to_it(client, applicant, own_group):
    client.force_login(applicant)
    nik = make_nik(birth_date=BORN, sex="L")
    rows = [_row(f"members-{i}-", make_nik(birth_date=BORN, sex="L"), name=f"Orang {i}") for i in range(7)]
    rows[6] = _row("members-6-", nik, name="Cecep Hidayat")
    rows.append(_row("members-7-", _spaced(nik), name="Dadang"))
    response = client.post(reverse("groups:members_edit"), _list(*rows))
    page = response.content.decode()
    assert "NIK ini sama dengan baris 7 (Cecep Hidayat)." in page
    summary = page[page.index('class="problems') : page.index("</div>", page.index('class="problems'))]
    assert 'href="#row-8"' in summary and "Dadang" in summary and "baris 7 (Cecep Hidayat)" in summary
    assert 'id="row-8"' in page
    assert page.index('class="problems') < page.index('id="row-1"')  # at the top, before any row
    assert not own_group.members.exists()


def test_a_refused_row_is_open_and_saved_rows_fold(client, applicant, own_group):
    client.force_login(applicant)
    good = _row("members-0-", make_nik(birth_date=BORN, sex="L"), name="Baik")
    bad = _row("members-1-", "1234", name="Salah")
    response = client.post(reverse("groups:members_edit"), _list(good, bad))
    rows = response.context["rows"]
    assert [row["open"] for row in rows] == [False, True]
    assert 'id="row-2" open' in response.content.decode()


def test_twenty_blank_rows_are_folded_but_the_first(client, applicant, own_group):
    client.force_login(applicant)
    response = client.get(reverse("groups:members_edit"))
    assert [row["open"] for row in response.context["rows"]] == [True] + [False] * 19


def test_a_failed_save_is_kept_as_a_draft_and_comes_back_on_the_next_visit(client, applicant, own_group):
    client.force_login(applicant)
    rows = [_row("members-0-", make_nik(birth_date=BORN, sex="L"), name="Ujang"), _row("members-1-", "99", name="Iis")]
    client.post(reverse("groups:members_edit"), _list(*rows))
    draft = MemberDraft.objects.get(group=own_group)
    assert draft.from_failed_save and draft.data["members-1-name"] == "Iis"
    page = client.get(reverse("groups:members_edit"))  # a new tab, later
    forms = page.context["formset"].forms
    assert [f["name"].value() for f in forms] == ["Ujang", "Iis"]
    assert "dipulihkan" in page.content.decode() and page.context["problems"]  # still says what is wrong


def test_rows_typed_and_never_saved_survive_a_closed_tab(client, applicant, own_group):
    client.force_login(applicant)
    typed = _list(_row("members-0-", "3204 1217 05", name="Setengah Jalan"))
    typed |= {"csrfmiddlewaretoken": "x", "other": "ignored"}
    assert client.post(reverse("groups:members_draft"), typed).status_code == 204
    draft = MemberDraft.objects.get(group=own_group)
    assert "other" not in draft.data and not draft.from_failed_save
    page = client.get(reverse("groups:members_edit"))
    assert page.context["formset"].forms[0]["nik"].value() == "3204 1217 05"
    assert page.context["quiet_errors"] and not page.context["problems"]  # half-typed rows are not shouted at
    assert "NIK harus terdiri dari 16 angka" not in page.content.decode()


def test_a_successful_save_discards_the_draft(client, applicant, own_group):
    client.force_login(applicant)
    client.post(reverse("groups:members_draft"), _list(_row("members-0-", "32", name="X")))
    response = client.post(
        reverse("groups:members_edit"), _list(_row("members-0-", make_nik(birth_date=BORN, sex="L")))
    )
    assert response.status_code == 302
    assert not MemberDraft.objects.filter(group=own_group).exists()
    assert client.get(reverse("groups:members_edit")).context["draft"] is None


def test_the_ketua_can_throw_a_draft_away(client, applicant, own_group):
    client.force_login(applicant)
    client.post(reverse("groups:members_draft"), _list(_row("members-0-", "32", name="X")))
    client.post(reverse("groups:members_draft_discard"))
    assert not MemberDraft.objects.filter(group=own_group).exists()


def test_a_draft_is_the_groups_own(client, applicant, own_group):
    MemberDraft.objects.create(group=GroupFactory(), data={"members-TOTAL_FORMS": "1", "members-0-name": "Rahasia"})
    client.force_login(applicant)
    assert "Rahasia" not in client.get(reverse("groups:members_edit")).content.decode()


def test_no_draft_is_kept_while_the_list_is_under_review(client, applicant, own_group, monkeypatch):
    from groups import services

    monkeypatch.setattr(services, "group_is_editable", lambda group: False)
    client.force_login(applicant)
    assert client.post(reverse("groups:members_draft"), _list(_row("members-0-", "32"))).status_code == 409
    assert not MemberDraft.objects.exists()


def test_a_saved_member_keeps_following_its_nik_when_it_is_corrected(client, applicant, own_group):
    member = MemberFactory(group=own_group, year=own_group.year, birth_date=BORN, sex="L")
    client.force_login(applicant)
    page = client.get(reverse("groups:member_edit", args=[member.pk]))
    assert page.context["form"]["derived"].value() == "sex birth_date"
    new = make_nik(birth_date=datetime.date(1980, 1, 1), sex="P")
    data = {"nik": new, "name": member.name, "sex": "L", "birth_date": BORN.isoformat(), "role": "anggota"}
    data |= {"employment_status": "penganggur", "phone": "", "derived": "sex birth_date"}
    assert client.post(reverse("groups:member_edit", args=[member.pk]), data).status_code == 302
    member.refresh_from_db()
    assert (member.sex, member.birth_date) == ("P", datetime.date(1980, 1, 1))


def test_every_problem_is_told_in_one_save_not_one_after_another(client, applicant, own_group):
    client.force_login(applicant)
    nik = make_nik(birth_date=BORN, sex="L")
    rows = [_row("members-0-", nik, name="Cecep"), _row("members-1-", nik, name="Dadang"), _row("members-2-", "32")]
    response = client.post(reverse("groups:members_edit"), _list(*rows))
    assert [p["number"] for p in response.context["problems"]] == [2, 3]
