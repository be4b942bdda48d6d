import pytest

from groups.names import (
    address_key,
    group_name_key,
    name_similarity,
    person_name_key,
    typed_text_clean,
    village_key,
)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Bpk. H. Ahmad Fauzi, S.Pd", "ahmad fauzi"),
        ("IBU HJ. SITI AMINAH", "siti aminah"),
        ("Drs. Ma'ruf  Amin, M.M.", "maruf amin"),
        ("Sutrisno", "sutrisno"),
    ],
)
def test_it_drops_case_punctuation_and_titles_from_a_persons_name(typed, key):
    assert person_name_key(typed) == key


def test_it_drops_the_words_that_only_say_a_group_is_a_group():
    assert group_name_key("KLP. Tani Makmur") == group_name_key("Kelompok Tani  Makmur") == "tani makmur"


def test_it_drops_desa_and_kelurahan_from_a_village_name():
    assert village_key("Ds. Sukamaju") == village_key("DESA SUKAMAJU") == village_key("sukamaju") == "sukamaju"
    assert village_key("Kelurahan Sukamaju") == "sukamaju"


def test_it_compares_addresses_without_case_or_punctuation():
    assert address_key("Jl. Merdeka No.1, RT 02/RW 03") == address_key("JL MERDEKA NO 1 RT 02 RW 03")


def test_a_typo_or_a_different_word_order_is_still_alike():
    assert name_similarity("siti aminah", "siti aminnah") > 0.9
    assert name_similarity("aminah siti", "siti aminah") == 1.0


def test_a_one_word_name_inside_the_full_name_is_alike():
    assert name_similarity("budi", "budi santoso") == 1.0


def test_different_people_are_not_alike():
    assert name_similarity("joko widodo", "siti aminah") < 0.5
    assert name_similarity("", "siti") == 0.0


# --- what is stored: invisible characters out ----------------------------------------------------------

ZERO_WIDTH_AND_BIDI = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Siti\u200b Aminah", "Siti Aminah"),
        ("\ufeffKelompok Tani Makmur", "Kelompok Tani Makmur"),
        ("Kelompok \u202eriaM\u202c Jaya", "Kelompok riaM Jaya"),  # a right-to-left override
        ("Ah\u00admad", "Ahmad"),
        ("Siti\u00a0\u00a0Aminah\t", "Siti Aminah"),  # no-break spaces, a tab
        ("  Jl.\u3000Merdeka\nNo. 1 ", "Jl. Merdeka No. 1"),
        ("Siti\u3164Aminah", "SitiAminah"),  # a Hangul filler renders as nothing
        ("Kope\u0301", "Kopé"),  # e + combining acute is stored composed (NFC)
        ("Ma'ruf Amin", "Ma'ruf Amin"),
    ],
)
def test_typed_text_is_stored_as_it_shows(typed, stored):
    assert typed_text_clean(typed) == stored


def test_nothing_but_invisible_characters_is_nothing():
    assert typed_text_clean(ZERO_WIDTH_AND_BIDI + " \u3164 ") == ""


@pytest.fixture
def ketua(db):
    from accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(username="siti", role=Role.GROUP)


def test_every_name_of_a_group_is_cleaned_on_create_and_update(ketua, settings):
    from groups import services

    group = services.group_create(
        by=ketua,
        name="Kelompok\u200b Tani\u00a0 Makmur",
        regency_id="32.04",
        village="Desa\u200d Sukamaju",
        address="Jl.\u2060 Merdeka No. 1",
        sk_number="001/SK\u200b/2020",
    )
    group.refresh_from_db()
    assert (group.name, group.village, group.address, group.sk_number) == (
        "Kelompok Tani Makmur", "Desa Sukamaju", "Jl. Merdeka No. 1", "001/SK/2020",
    )  # fmt: skip

    services.group_bank_account_update(
        group=group, by=ketua, bank_id="002", account_number="1234567890", account_holder="Siti\ufeff Aminah"
    )
    group.refresh_from_db()
    assert group.account_holder == "Siti Aminah"


BIDI = ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("bidi", BIDI)
def test_a_bidi_override_embedding_or_isolate_is_refused_not_silently_changed(bidi):
    from django import forms
    from django.core.exceptions import ValidationError

    from groups.names import BIDI_REFUSED, TypedTextFormField

    with pytest.raises(ValidationError) as refused:
        TypedTextFormField().clean(f"Kelompok {bidi}riaM Jaya")
    assert refused.value.messages == [str(BIDI_REFUSED)]
    assert isinstance(TypedTextFormField(), forms.CharField)


def test_a_group_name_or_account_holder_with_a_bidi_override_is_refused_by_the_service(ketua):
    from django.core.exceptions import ValidationError

    from groups import services
    from groups.models import Group

    with pytest.raises(ValidationError) as refused:
        services.group_create(by=ketua, name="Kelompok \u202eriaM\u202c Jaya", regency_id="32.04")
    assert refused.value.message_dict["name"][0].startswith("Teks ini berisi karakter tersembunyi")
    assert not Group.objects.exists()

    group = services.group_create(by=ketua, name="Kelompok Maju Jaya", regency_id="32.04")
    with pytest.raises(ValidationError) as refused:
        services.group_bank_account_update(
            group=group, by=ketua, bank_id="002", account_number="1234567890", account_holder="Siti\u2067 Aminah"
        )
    assert "account_holder" in refused.value.message_dict
    group.refresh_from_db()
    assert group.account_holder == ""


def test_the_member_form_refuses_a_bidi_override_on_the_name_field(client, ketua):
    from groups.models import Member
    from tests.factories import GroupFactory, MemberFactory

    group = GroupFactory(user=ketua)
    member = MemberFactory.build(group=group, role=Member.Role.ANGGOTA)
    client.force_login(ketua)

    response = client.post(
        "/kelompok/anggota/tambah/",
        {
            "name": "Budi\u202e Santoso",
            "nik": member.nik,
            "sex": member.sex,
            "birth_date": member.birth_date.isoformat(),
            "role": member.role,
            "employment_status": member.employment_status,
        },
    )

    assert response.status_code == 200
    assert "Teks ini berisi karakter tersembunyi" in response.content.decode()
    assert not group.members.exists()


def test_other_typed_names_go_through_the_same_helper():
    from accounts.models import User
    from applications.models import Scheme
    from groups.names import TypedTextField
    from training.models import TrainingEvent, TrainingSession

    fields = [
        User._meta.get_field("first_name"),
        User._meta.get_field("last_name"),
        Scheme._meta.get_field("name"),
        TrainingEvent._meta.get_field("title"),
        TrainingEvent._meta.get_field("venue"),
        TrainingSession._meta.get_field("title"),
    ]
    assert all(isinstance(field, TypedTextField) for field in fields)


def test_a_name_of_only_invisible_characters_is_refused_as_empty(ketua):
    from django.core.exceptions import ValidationError

    from groups import services

    with pytest.raises(ValidationError) as refused:
        services.group_create(by=ketua, name="\u200b\u202e\ufeff", regency_id="32.04")
    assert "name" in refused.value.message_dict


def test_member_names_are_cleaned_one_by_one_and_in_bulk(db):
    from groups import services
    from groups.models import Member
    from tests.factories import GroupFactory, MemberFactory

    group = GroupFactory()
    one = MemberFactory.build(group=group)
    fields = {f: getattr(one, f) for f in ("nik", "sex", "birth_date", "role", "employment_status")}
    added = services.member_add(group=group, by=None, name="Siti\u200b Aminah", **fields)
    assert Member.objects.get(pk=added.pk).name == "Siti Aminah"

    other = MemberFactory.build(group=group, role=Member.Role.ANGGOTA)
    row = {f: getattr(other, f) for f in ("nik", "sex", "birth_date", "role", "employment_status")}
    [bulk] = services.members_add_bulk(group=group, by=None, rows=[{**row, "name": "\u202eBudi\u202c"}])
    assert Member.objects.get(nik=bulk.nik).name == "Budi"


def test_the_ketuas_own_name_is_cleaned_at_registration(client, db, django_capture_on_commit_callbacks):
    from accounts.models import User
    from tests.accounts.test_register import registration

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/akun/daftar/", registration(full_name="Andi\u200b Saputra\u200d"))

    assert User.objects.get(email="andi.saputra@example.id").first_name == "Andi Saputra"


def test_a_ketua_name_with_a_bidi_override_is_refused_at_registration(client, db):
    from accounts.models import User
    from tests.accounts.test_register import registration

    response = client.post("/akun/daftar/", registration(full_name="Andi \u202eartupaS"))

    assert response.status_code == 200
    assert "Teks ini berisi karakter tersembunyi" in response.content.decode()
    assert not User.objects.filter(email="andi.saputra@example.id").exists()
