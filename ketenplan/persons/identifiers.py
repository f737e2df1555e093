"""National identification numbers: the Belgian rijksregisternummer and the Dutch BSN.

Both are stored as their digits only. The number of digits tells them apart: eleven for
the Belgian number, nine for the BSN.

* Belgian national register number (also the BIS number of people not in the register):
  ``YYMMDD SSS CC``. The check number ``CC`` is ``97 - (YYMMDDSSS mod 97)``; for people
  born in 2000 or later a ``2`` is put before the nine digits first. The month is 00-12
  (00 when unknown), or raised by 20 or 40 for BIS numbers.
* Dutch citizen service number (BSN): nine digits passing the "11-proof":
  ``9·d1 + 8·d2 + … + 2·d8 - 1·d9`` is a multiple of 11.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

BELGIAN_LENGTH = 11
BSN_LENGTH = 9

# What people type between the digits: "85.07.30-033.28", "1234 56 782".
_SEPARATORS = re.compile(r"[\s.\-/]")


def belgian_number_is_valid(digits: str) -> bool:
    """True for eleven digits with a correct check number, born before or after 2000."""
    if len(digits) != BELGIAN_LENGTH or not digits.isascii() or not digits.isdigit():
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    if not (month <= 12 or 20 <= month <= 32 or 40 <= month <= 52) or day > 31:
        return False
    base, check = digits[:9], int(digits[9:])
    return check in (97 - int(base) % 97, 97 - int("2" + base) % 97)


def bsn_is_valid(digits: str) -> bool:
    """True for nine digits that pass the 11-proof (and are not all zero)."""
    if len(digits) != BSN_LENGTH or not digits.isascii() or not digits.isdigit():
        return False
    if int(digits) == 0:
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def national_number_kind(digits: str) -> str:
    """``"BE"`` for a Belgian national register number, ``"NL"`` for a BSN, else ``""``."""
    if len(digits) == BELGIAN_LENGTH:
        return "BE"
    if len(digits) == BSN_LENGTH:
        return "NL"
    return ""


def normalise_national_number(value: str | None) -> str:
    """The digits of a national number as typed, checked; ``""`` when nothing was typed.

    Raises ``ValidationError`` with a message for the user when the number is not a
    valid Belgian national register number or Dutch BSN.
    """
    if value is None:
        return ""
    digits = _SEPARATORS.sub("", str(value))
    if not digits:
        return ""
    if not (digits.isascii() and digits.isdigit()):
        raise ValidationError(
            _("A national number contains only digits (dots, dashes and spaces are allowed)."),
            code="national_number_format",
        )
    if len(digits) == BELGIAN_LENGTH:
        if not belgian_number_is_valid(digits):
            raise ValidationError(
                _("This is not a valid Belgian national register number: check the digits."),
                code="national_number_checksum",
            )
        return digits
    if len(digits) == BSN_LENGTH:
        if not bsn_is_valid(digits):
            raise ValidationError(
                _("This is not a valid citizen service number (BSN): check the digits."),
                code="national_number_checksum",
            )
        return digits
    raise ValidationError(
        _(
            "A national number has 11 digits (Belgian national register number) "
            "or 9 digits (Dutch BSN)."
        ),
        code="national_number_length",
    )


def validate_national_number(value: str | None) -> None:
    """Field validator: accepts stored (digits-only) numbers and typed ones alike."""
    normalise_national_number(value)
