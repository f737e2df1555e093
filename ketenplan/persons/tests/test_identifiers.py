"""National numbers: the Belgian national register number and the Dutch BSN."""

import pytest
from django.core.exceptions import ValidationError

from ketenplan.persons.identifiers import (
    belgian_number_is_valid,
    bsn_is_valid,
    national_number_kind,
    normalise_national_number,
)

# Born 30 July 1985: 97 - (850730033 mod 97) = 28.
BORN_1985 = "85073003328"
# Born 15 March 2005: the check uses 2050315001, so 97 - (2050315001 mod 97) = 92.
BORN_2005 = "05031500192"
# The same first nine digits, checked as if born in 1905: 97 - (050315001 mod 97) = 63.
BORN_1905 = "05031500163"
# A BIS number (month raised by 40): 97 - (854730033 mod 97).
BIS_NUMBER = "854730033" + f"{97 - 854730033 % 97:02d}"


@pytest.mark.parametrize("number", [BORN_1985, BORN_2005, BORN_1905, BIS_NUMBER])
def test_valid_belgian_numbers(number):
    assert belgian_number_is_valid(number)
    assert normalise_national_number(number) == number
    assert national_number_kind(number) == "BE"


def test_the_check_of_a_number_born_after_2000_is_computed_with_a_leading_2():
    # The 2005 number's check digits are wrong for 1905 and vice versa: both valid only
    # because each century is tried.
    assert 97 - int(BORN_2005[:9]) % 97 != int(BORN_2005[9:])
    assert 97 - int("2" + BORN_1905[:9]) % 97 != int(BORN_1905[9:])


@pytest.mark.parametrize(
    "number",
    [
        "85073003329",  # check digits off by one
        "85073003428",  # a digit of the serial number changed
        "05031500191",  # 2005 number, check off by one
        "85133003328",  # month 13
        "85073203328",  # day 32
    ],
)
def test_invalid_belgian_numbers(number):
    assert not belgian_number_is_valid(number)
    with pytest.raises(ValidationError) as error:
        normalise_national_number(number)
    assert error.value.code in {"national_number_checksum"}


@pytest.mark.parametrize("typed", ["85.07.30-033.28", "850730 033 28", " 85073003328 "])
def test_typed_separators_are_removed(typed):
    assert normalise_national_number(typed) == BORN_1985


@pytest.mark.parametrize("number", ["111222333", "123456782", "999999990"])
def test_valid_bsn(number):
    assert bsn_is_valid(number)
    assert normalise_national_number(number) == number
    assert national_number_kind(number) == "NL"


@pytest.mark.parametrize(
    "number",
    [
        "123456789",  # fails the 11-proof
        "111222334",
        "000000000",  # passes the sum, but is no number
    ],
)
def test_invalid_bsn(number):
    assert not bsn_is_valid(number)
    with pytest.raises(ValidationError):
        normalise_national_number(number)


def test_bsn_typed_with_dots():
    assert normalise_national_number("1234.56.782") == "123456782"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("8507300332", "national_number_length"),  # ten digits
        ("12345678", "national_number_length"),  # eight digits: the leading 0 is needed
        ("85O73003328", "national_number_format"),  # letter O for zero
        ("".join(chr(0xFF10 + int(d)) for d in BORN_1985), "national_number_format"),  # full width
    ],
)
def test_badly_typed_numbers_say_why(typed, code):
    with pytest.raises(ValidationError) as error:
        normalise_national_number(typed)
    assert error.value.code == code


@pytest.mark.parametrize("empty", [None, "", "  ", " - "])
def test_no_number_is_allowed(empty):
    assert normalise_national_number(empty) == ""
