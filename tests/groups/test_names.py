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
        name="Kelompok\u200b Tani\u202e Makmur",
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
        group=group, by=ketua, bank_id="002", account_number="1234567890", account_holder="Siti\u202e Aminah"
    )
    group.refresh_from_db()
    assert group.account_holder == "Siti Aminah"


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
        client.post("/akun/daftar/", registration(full_name="Andi\u200b Saputra\u202e"))

    assert User.objects.get(email="andi.saputra@example.id").first_name == "Andi Saputra"
