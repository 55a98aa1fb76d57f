"""Validation and masking of Chinese identifiers.

* Unified social credit code (USCC), GB 32100-2015: 18 characters, the last
  one a check character computed modulo 31.
* Resident identity card number, GB 11643-1999: 17 digits (the 7th to 14th
  being the date of birth, YYYYMMDD) followed by an ISO 7064 MOD 11-2 check
  character (a digit or X).

The validators raise ``django.core.exceptions.ValidationError`` with a
specific ``code`` (``required``, ``length``, ``character``, ``birth_date``,
``check_digit``) and return the normalised value on success, so they can be
used both as field validators and as cleaners.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

USCC_LENGTH = 18
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

RESIDENT_ID_LENGTH = 18
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARACTERS = "10X98765432"  # indexed by (sum mod 11)
RESIDENT_ID_EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

# ASCII digits only: str.isdigit() would also accept full-width and other
# Unicode digits.
DIGITS = "0123456789"


def uscc_check_character(first17: str) -> str:
    """Return the check character (18th) for the first 17 USCC characters.

    Raises ValueError if ``first17`` is not 17 characters of the USCC
    alphabet (upper case).
    """
    if len(first17) != USCC_LENGTH - 1 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError(f"expected 17 USCC characters, got {first17!r}")
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    check = 31 - total % 31
    return USCC_ALPHABET[0 if check == 31 else check]


def resident_id_check_character(first17: str) -> str:
    """Return the check character (18th) for the first 17 resident ID digits.

    Raises ValueError if ``first17`` is not 17 ASCII digits.
    """
    if len(first17) != RESIDENT_ID_LENGTH - 1 or any(c not in DIGITS for c in first17):
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    total = sum(int(char) * weight for char, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_CHARACTERS[total % 11]


def validate_uscc(value: str) -> str:
    """Validate a unified social credit code; return it normalised.

    Surrounding whitespace is stripped and letters are upper-cased.
    """
    value = (value or "").strip().upper()
    if not value:
        raise ValidationError(_("Enter a unified social credit code."), code="required")
    if len(value) != USCC_LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(length)d.") % {"length": len(value)},
            code="length",
        )
    for position, char in enumerate(value, start=1):
        if char not in USCC_ALPHABET:
            raise ValidationError(
                _(
                    'The character "%(character)s" at position %(position)d is not '
                    "allowed in a unified social credit code."
                )
                % {"character": char, "position": position},
                code="character",
            )
    expected = uscc_check_character(value[:-1])
    if value[-1] != expected:
        raise ValidationError(
            _(
                "The check character (the last one) of this unified social credit "
                'code should be "%(expected)s", not "%(actual)s".'
            )
            % {"expected": expected, "actual": value[-1]},
            code="check_digit",
        )
    return value


def validate_resident_id(value: str) -> str:
    """Validate a resident identity card number; return it normalised.

    Surrounding whitespace is stripped and a lowercase check character x is
    upper-cased.
    """
    value = (value or "").strip().upper()
    if not value:
        raise ValidationError(_("Enter a resident ID number."), code="required")
    if len(value) != RESIDENT_ID_LENGTH:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(length)d.") % {"length": len(value)},
            code="length",
        )
    for position, char in enumerate(value[:-1], start=1):
        if char not in DIGITS:
            raise ValidationError(
                _('Position %(position)d of a resident ID number must be a digit, not "%(character)s".')
                % {"position": position, "character": char},
                code="character",
            )
    if value[-1] not in DIGITS + "X":
        raise ValidationError(
            _('The check character (position 18) of a resident ID number must be a digit or X, not "%(character)s".')
            % {"character": value[-1]},
            code="character",
        )

    digits = value[6:14]
    try:
        birth_date = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValidationError(
            _(
                "The date of birth in a resident ID number (positions 7 to 14, "
                'YYYYMMDD) must be a real date; "%(digits)s" is not.'
            )
            % {"digits": digits},
            code="birth_date",
        ) from None
    if birth_date > timezone.localdate():
        raise ValidationError(
            _('The date of birth "%(digits)s" in this resident ID number is in the future.') % {"digits": digits},
            code="birth_date",
        )
    if birth_date < RESIDENT_ID_EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _('The date of birth "%(digits)s" in this resident ID number is before 1900-01-01.') % {"digits": digits},
            code="birth_date",
        )

    expected = resident_id_check_character(value[:-1])
    if value[-1] != expected:
        raise ValidationError(
            _(
                "The check character (position 18) of this resident ID number "
                'should be "%(expected)s", not "%(actual)s".'
            )
            % {"expected": expected, "actual": value[-1]},
            code="check_digit",
        )
    return value


# A mainland mobile number (11 digits from 13 to 19), or a landline with its area code (0 and 2 or 3
# more digits, then 7 or 8 digits), a hyphen or space between them optional, an extension after "-".
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[- ]?[2-9][0-9]{6,7}(-[0-9]{1,6})?")


def validate_phone(value: str) -> str:
    """A mainland telephone number as people write it (mobile, or landline with area code), returned
    without spaces; ValidationError naming the expected forms otherwise."""
    text = (value or "").strip().replace("（", "(").replace("）", ")")
    text = re.sub(r"^\((0[0-9]{2,3})\)", r"\1-", text).replace(" ", "")
    if text.startswith("+86"):
        text = text[3:].lstrip("-")
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return text
    raise ValidationError(
        _("Enter a mobile number of 11 digits (13812345678) or a landline with its area code (0936-8212345)."),
        code="phone",
    )


def _mask(value, keep_start: int, keep_end: int) -> str:
    value = str(value or "").strip()
    if len(value) <= keep_start + keep_end:
        # Too short to show both ends without revealing all of it.
        return "*" * len(value)
    middle = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * middle + value[-keep_end:]


def mask_resident_id(value) -> str:
    """Mask a resident ID number for display: first 6 and last 4 kept."""
    return _mask(value, 6, 4)


def mask_uscc(value) -> str:
    """Mask a unified social credit code for display: first 8 and last 2 kept."""
    return _mask(value, 8, 2)
