import pytest

from groups.names import address_key, group_name_key, name_similarity, person_name_key, village_key


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
