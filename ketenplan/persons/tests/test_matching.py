"""Name keys, phonetic codes and the name data file."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from ketenplan.persons.checks import check_name_data
from ketenplan.persons.matching import (
    are_spelling_variants,
    canonical_name,
    family_name_key,
    given_name_key,
    is_initials,
    load_name_data,
    name_key,
    phonetic_code,
    phonetic_key,
    search_keys,
)


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Peeters", "peeters"),
        ("  Van den Broeck ", "vandenbroeck"),
        ("Vandenbroeck", "vandenbroeck"),
        ("D'Hondt", "dhondt"),
        ("'t Hooft", "thooft"),
        ("El-Amrani", "elamrani"),
        ("Aïcha", "aicha"),
        ("Françoise", "francoise"),
        ("Müller", "muller"),
        ("Yılmaz", "yilmaz"),  # noqa: RUF001  Turkish dotless i
        ("İbrahim", "ibrahim"),  # Turkish capital dotted I
        ("Şahin", "sahin"),
        ("Doğan", "dogan"),
        ("Wałęsa", "walesa"),
        ("Søren", "soren"),
        ("Straße", "strasse"),
        ("Шевченко", "shevchenko"),
        ("Наталья", "natalia"),  # Russian
        ("Наталія", "nataliia"),  # Ukrainian, as in the passport
        ("Nguyễn", "nguyen"),
    ],
)
def test_name_key_normalises_letters_spaces_and_accents(written, key):
    assert name_key(written) == key


def test_a_script_without_transliteration_keeps_its_letters():
    # Arabic script: no Latin key, but the same name written the same way still matches.
    assert name_key("محمد") == "محمد"
    assert phonetic_code(name_key("محمد")) == ""


@pytest.mark.parametrize(
    ("prefix", "family"),
    [("van den", "Broeck"), ("", "Van den Broeck"), ("", "Vandenbroeck"), ("Van Den", "broeck")],
)
def test_the_prefix_is_folded_into_the_family_name(prefix, family):
    assert family_name_key(family, prefix) == "vandenbroeck"


def test_given_name_key_is_the_first_given_name():
    assert given_name_key("Jan Pieter Maria") == "jan"
    assert given_name_key("Jan-Pieter") == "janpieter"
    assert given_name_key("") == ""


@pytest.mark.parametrize(
    "names",
    [
        ("Mohamed", "Mohammed", "Muhammad", "Mehmet", "Mohammad"),
        ("Youssef", "Yousef", "Joesef", "Yusuf"),
        ("Aïcha", "Aisha", "Aicha"),
        ("Fatima", "Fatma"),
        ("Ahmed", "Ahmad"),
        ("Jan", "Johan", "Johannes"),
        ("Pieter", "Peter"),
        ("Kristof", "Christophe", "Christoph"),
        ("Katrien", "Catherine"),
        ("Ilse", "Ilze"),
        ("Els", "Elske"),
        ("El Amrani", "Elamrani"),
        ("Van den Broeck", "Vandenbroek", "Van Den Broek"),
        ("De Smet", "Desmet"),
        ("Janssens", "Jansen", "Janssen"),
        ("Peeters", "Peters"),
        ("Willems", "Willemse"),
        ("Yilmaz", "Yılmaz"),  # noqa: RUF001
        ("Nguyen", "Ngyuen"),
        ("Kowalski", "Kovalski"),
    ],
)
def test_spelling_variants_share_a_phonetic_key(names):
    keys = {phonetic_key(name_key(n)) for n in names}
    assert len(keys) == 1, keys
    assert keys != {""}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mohamed", "Mohammed"),
        ("Muhammad", "Mehmet"),
        ("Aisha", "Aïcha"),
        ("Vandenbroek", "Van den Broeck"),
        ("Janssens", "Jansen"),
    ],
)
def test_variant_groups_come_from_the_data_file(a, b):
    assert are_spelling_variants(name_key(a), name_key(b))


def test_canonical_name_is_the_first_of_its_group():
    assert canonical_name("mehmet") == "mohamed"
    assert canonical_name("unlisted") == "unlisted"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Muhamed", "Mohamed"),  # not in the table: sounds alike
        ("Schepers", "Scheepers"),
        ("Goossens", "Gosens"),
        ("Rijkaert", "Reykaert"),
        ("Bauwens", "Bouwens"),
        ("De Smedt", "De Smet"),
        ("Jamila", "Djamila"),
        ("Michel", "Mikhail"),
        ("Cécile", "Sesile"),
    ],
)
def test_names_that_sound_alike(a, b):
    assert phonetic_code(name_key(a)) == phonetic_code(name_key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Peeters", "Yilmaz"),
        ("Jan", "Fatima"),
        ("Kathleen", "Katrien"),  # left out of the variant table on purpose
        ("Claes", "Claessens"),
        ("Mertens", "Maes"),
        ("Hendrik", "Endrik"),  # the first letter counts
        ("Emma", "Lisa"),
    ],
)
def test_names_that_do_not_sound_alike(a, b):
    assert phonetic_key(name_key(a)) != phonetic_key(name_key(b))


def test_search_keys():
    keys = search_keys(given_names="Mehmet Ali", family_name="Yılmaz")  # noqa: RUF001
    assert keys.name_key == "yilmaz"
    assert keys.given_name_key == "mehmet"
    assert keys.phonetic_key == phonetic_code("yilmaz")
    assert keys.given_phonetic_key == phonetic_code("mohamed")


@pytest.mark.parametrize(
    ("given", "initials"),
    [("J.", True), ("J.P.", True), ("A. M.", True), ("K", True), ("Jan", False), ("JP", False)],
)
def test_initials(given, initials):
    assert is_initials(given) is initials


def test_the_name_data_file_is_valid():
    data = load_name_data()
    assert data.canonical["mehmet"] == "mohamed"
    assert ord("ł") in data.transliteration
    assert check_name_data() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("given_names:\n  - [Jan]\n", "at least two"),
        ("given_names:\n  - [Jan, Johan]\nfamily_names:\n  - [Jan, Jansen]\n", "one group only"),
        ("transliteration:\n  'ab': 'x'\n", "single lowercase letters"),
        ("transliteration:\n  'ł': 'Ł'\n", "lowercase Latin letters"),
        ("surnames: []\n", "unknown sections"),
        ("given_names: [\n", "cannot be read"),
    ],
)
def test_mistakes_in_the_name_data_are_reported(tmp_path, content, message):
    path = tmp_path / "names.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=message):
        load_name_data(path)
