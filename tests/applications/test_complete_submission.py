"""The whole application in one request: the path a registration surge takes."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.models import Application, ApplicationStatusChange
from groups.models import Group, Member
from tests.factories import GroupFactory, MemberFactory, make_nik

pytestmark = pytest.mark.django_db
URL = "/pengajuan/lengkap/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


def _today_year() -> int:
    return timezone.localdate().year


def payload(scheme, *, first_serial: int = 1, **overrides) -> dict:
    roles = ["ketua", "sekretaris", "bendahara"] + ["anggota"] * 17
    members = []
    for row, role in enumerate(roles):
        born = datetime.date(1980 + row, 1 + row % 12, 1 + row)
        sex = "P" if row % 3 == 0 else "L"
        members.append(
            {
                "nik": make_nik(birth_date=born, sex=sex, serial=first_serial + row),
                "name": f"Anggota {row}",
                "sex": sex,
                "birth_date": born.isoformat(),
                "role": role,
                "employment_status": "korban_phk",
            }
        )
    data = {
        "scheme": scheme.pk,
        "group": {
            "name": "Kelompok Surge",
            "province": "32",
            "regency": "32.04",
            "village": "Dayeuhkolot",
            "address": "Jl. Raya 1",
            "phone": "081234567890",
            "bank": "002",
            "account_number": "001234567890123",
            "account_holder": "Kelompok Surge",
        },
        "members": members,
        "proposal": {
            "business_type": "Konveksi",
            "business_plan": "Menjahit seragam.",
            "requested_amount": "40.000.000",
            "equipment_budget": "24000000",
            "materials_budget": "16000000",
        },
    }
    return data | overrides


def _files() -> dict:
    return {
        "proposal": SimpleUploadedFile("proposal.pdf", PDF),
        "sk": SimpleUploadedFile("sk.pdf", PDF),
        "bank_book": SimpleUploadedFile("rekening.png", PNG),
    }


def post(client, data) -> object:
    return client.post(URL, {"data": json.dumps(data), **_files()})


def test_one_request_creates_the_group_members_and_a_submitted_application(client, applicant, open_scheme):
    client.force_login(applicant)
    response = post(client, payload(open_scheme))
    assert response.status_code == 201, response.json()
    body = response.json()
    application = Application.objects.get(reference=body["reference"])
    assert application.status == "submitted" and body["created"] is True
    assert application.group.user == applicant and application.group.members.count() == 20
    assert application.documents.count() == 3
    assert Member.history.count() == 20  # the bulk insert kept the audit trail


def test_sending_it_again_returns_the_same_application(client, applicant, open_scheme):
    client.force_login(applicant)
    first = post(client, payload(open_scheme)).json()
    again = post(client, payload(open_scheme))
    assert again.status_code == 200
    assert again.json()["reference"] == first["reference"] and again.json()["created"] is False
    assert Application.objects.count() == 1 and Group.objects.count() == 1


def test_a_nik_of_another_group_names_the_row_not_the_group(client, applicant, open_scheme):
    data = payload(open_scheme)
    other = GroupFactory(year=_today_year(), name="Kelompok Lain")
    MemberFactory(group=other, year=other.year, nik=data["members"][5]["nik"])
    client.force_login(applicant)
    response = post(client, data)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "sudah terdaftar di kelompok lain" in json.dumps(errors)
    assert list(errors["members"]) == ["5"] and "Kelompok Lain" not in response.content.decode()
    assert not Group.objects.filter(user=applicant).exists()  # nothing half-saved


def test_every_bad_part_is_reported_at_once_and_nothing_is_saved(client, applicant, open_scheme):
    data = payload(open_scheme)
    data["members"][2]["nik"] = "3204123102900001"  # 31 February
    data["group"]["account_number"] = "12AB"
    data["proposal"]["requested_amount"] = "empat puluh juta"
    client.force_login(applicant)
    errors = post(client, data).json()["errors"]
    assert set(errors) == {"group", "members", "proposal"}
    assert "2" in errors["members"] and "account_number" in errors["group"]
    assert not Group.objects.exists() and not ApplicationStatusChange.objects.exists()


def test_missing_documents_are_listed_as_submission_problems(client, applicant, open_scheme):
    client.force_login(applicant)
    response = client.post(URL, {"data": json.dumps(payload(open_scheme))})
    assert response.status_code == 400
    assert any("Dokumen belum diunggah" in problem for problem in response.json()["errors"]["submission"])
    assert not Group.objects.exists()


@pytest.mark.parametrize("raw", ["", "not json", "[]", '{"members": "x", "group": 5, "scheme": "1"}'])
def test_garbage_is_refused_with_a_message_never_a_server_error(client, applicant, open_scheme, raw):
    client.force_login(applicant)
    response = client.post(URL, {"data": raw})
    assert response.status_code == 400
    assert response.json()["errors"]


def test_a_ketua_with_a_group_already_is_told_to_finish_in_the_portal(client, applicant, open_scheme):
    GroupFactory(user=applicant, year=_today_year())
    client.force_login(applicant)
    response = post(client, payload(open_scheme))
    assert response.status_code == 400
    assert "sudah punya kelompok" in json.dumps(response.json())


def test_it_needs_a_login(client, open_scheme):
    assert client.post(URL, {"data": "{}"}).status_code == 302
