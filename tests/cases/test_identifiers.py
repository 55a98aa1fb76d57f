import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cases.core.identifiers import (
    mask_resident_id,
    mask_uscc,
    resident_id_check_character,
    uscc_check_character,
    validate_resident_id,
    validate_uscc,
)

VALID_USCC = "91350100M000100Y43"
VALID_USCC_2 = "91110000600037341L"
VALID_RESIDENT_ID = "11010519491231002X"


def resident_id_with_birth_date(digits: str) -> str:
    """A resident ID with a correct check character and the given YYYYMMDD."""
    first17 = "110105" + digits + "002"
    return first17 + resident_id_check_character(first17)


def error_message(exc) -> str:
    return exc.value.messages[0]


# --- check character helpers -------------------------------------------------


def test_uscc_check_character_matches_known_samples():
    assert uscc_check_character(VALID_USCC[:17]) == VALID_USCC[17]
    assert uscc_check_character(VALID_USCC_2[:17]) == VALID_USCC_2[17]


def test_uscc_check_character_maps_31_to_zero():
    # A weighted sum of 0 gives 31 - 0 = 31, which wraps to "0".
    assert uscc_check_character("0" * 17) == "0"


def test_uscc_check_character_rejects_wrong_length():
    with pytest.raises(ValueError, match="expected 17"):
        uscc_check_character("123")


def test_uscc_check_character_rejects_characters_outside_alphabet():
    with pytest.raises(ValueError, match="expected 17"):
        uscc_check_character("91350100I000100Y4")


def test_resident_id_check_character_can_be_x():
    assert resident_id_check_character(VALID_RESIDENT_ID[:17]) == "X"


def test_resident_id_check_character_rejects_non_digits():
    with pytest.raises(ValueError, match="expected 17"):
        resident_id_check_character("1101051949123100A")


# --- validate_uscc -----------------------------------------------------------


@pytest.mark.parametrize("value", [VALID_USCC, VALID_USCC_2])
def test_validate_uscc_accepts_valid_codes(value):
    assert validate_uscc(value) == value


def test_validate_uscc_normalises_case_and_whitespace():
    assert validate_uscc("  91350100m000100y43\n") == VALID_USCC


@pytest.mark.parametrize("value", ["", "   ", None])
def test_validate_uscc_empty_is_required(value):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.code == "required"


def test_validate_uscc_wrong_length():
    with pytest.raises(ValidationError) as exc:
        validate_uscc(VALID_USCC[:17])
    assert exc.value.code == "length"


def test_validate_uscc_wrong_length_message_gives_actual_length():
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_uscc(VALID_USCC + "0")
    assert "19" in error_message(exc)


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_validate_uscc_rejects_letters_outside_alphabet(letter):
    value = VALID_USCC[:8] + letter + VALID_USCC[9:]
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.code == "character"


def test_validate_uscc_character_message_names_character_and_position():
    value = VALID_USCC[:8] + "i" + VALID_USCC[9:]  # lower case is upper-cased first
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    message = error_message(exc)
    assert '"I"' in message
    assert "position 9" in message


def test_validate_uscc_wrong_check_character():
    with pytest.raises(ValidationError) as exc:
        validate_uscc(VALID_USCC[:17] + "4")
    assert exc.value.code == "check_digit"


def test_validate_uscc_check_message_gives_expected_character():
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_uscc(VALID_USCC_2[:17] + "0")
    message = error_message(exc)
    assert 'should be "L"' in message
    assert 'not "0"' in message


# --- validate_resident_id ----------------------------------------------------


def test_validate_resident_id_accepts_valid_number():
    assert validate_resident_id(VALID_RESIDENT_ID) == VALID_RESIDENT_ID


def test_validate_resident_id_normalises_lowercase_x_and_whitespace():
    assert validate_resident_id(" 11010519491231002x ") == VALID_RESIDENT_ID


def test_validate_resident_id_accepts_digit_check_character():
    value = resident_id_with_birth_date("19800101")
    assert value[-1] != "X"
    assert validate_resident_id(value) == value


@pytest.mark.parametrize("value", ["", "  ", None])
def test_validate_resident_id_empty_is_required(value):
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(value)
    assert exc.value.code == "required"


def test_validate_resident_id_wrong_length():
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_resident_id("110105194912310")  # old 15-digit format
    assert exc.value.code == "length"
    assert "15" in error_message(exc)


def test_validate_resident_id_rejects_non_digit_in_body():
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_resident_id("1101051949123100AX")
    assert exc.value.code == "character"
    message = error_message(exc)
    assert '"A"' in message
    assert "Position 17" in message


def test_validate_resident_id_rejects_fullwidth_digit():
    with pytest.raises(ValidationError) as exc:
        validate_resident_id("\uff11" + VALID_RESIDENT_ID[1:])
    assert exc.value.code == "character"


def test_validate_resident_id_rejects_bad_check_character():
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_resident_id("11010519491231002Y")
    assert exc.value.code == "character"
    assert '"Y"' in error_message(exc)


def test_validate_resident_id_rejects_impossible_birth_date():
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_resident_id(resident_id_with_birth_date("19490230"))
    assert exc.value.code == "birth_date"
    assert "19490230" in error_message(exc)


def test_validate_resident_id_rejects_a_day_the_month_does_not_have():
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_resident_id(resident_id_with_birth_date("19490431"))  # April has 30 days
    assert exc.value.code == "birth_date"
    assert "19490431" in error_message(exc)


def test_validate_resident_id_rejects_future_birth_date():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    digits = tomorrow.strftime("%Y%m%d")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_resident_id(resident_id_with_birth_date(digits))
    assert exc.value.code == "birth_date"
    assert digits in error_message(exc)


def test_validate_resident_id_rejects_birth_date_before_1900():
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_resident_id(resident_id_with_birth_date("18991231"))
    assert exc.value.code == "birth_date"
    assert "18991231" in error_message(exc)


def test_validate_resident_id_accepts_1900_01_01():
    value = resident_id_with_birth_date("19000101")
    assert validate_resident_id(value) == value


def test_validate_resident_id_wrong_check_character():
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_resident_id(VALID_RESIDENT_ID[:17] + "0")
    assert exc.value.code == "check_digit"
    assert 'should be "X"' in error_message(exc)


# --- masking -----------------------------------------------------------------


def test_mask_resident_id_keeps_first_6_and_last_4():
    assert mask_resident_id(VALID_RESIDENT_ID) == "110105********002X"


def test_mask_uscc_keeps_first_8_and_last_2():
    assert mask_uscc(VALID_USCC) == "91350100********43"


@pytest.mark.parametrize("value", ["", None])
def test_masks_return_empty_string_for_empty_value(value):
    assert mask_resident_id(value) == ""
    assert mask_uscc(value) == ""


def test_masks_hide_values_too_short_to_show_both_ends():
    assert mask_resident_id("1234567890") == "**********"
    assert mask_uscc("1234567890") == "**********"


# --- the whole message, as the applicant reads it ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "english"),
    [
        ("", "Enter a resident ID number."),
        ("110105194912310", "A resident ID number has 18 characters; this one has 15."),
        ("1101051949123100AX", 'Position 17 of a resident ID number must be a digit, not "A".'),
        (
            "11010519491231002Y",
            'The check character (position 18) of a resident ID number must be a digit or X, not "Y".',
        ),
        (
            "11010519490230002X",
            "The date of birth in a resident ID number (positions 7 to 14, YYYYMMDD) must be a real date; "
            '"19490230" is not.',
        ),
        (
            "11010520991231002X",
            'The date of birth "20991231" in this resident ID number is in the future.',
        ),
        (
            "11010518991231002X",
            'The date of birth "18991231" in this resident ID number is before 1900-01-01.',
        ),
        (
            VALID_RESIDENT_ID[:17] + "0",
            'The check character (position 18) of this resident ID number should be "X", not "0".',
        ),
    ],
)
def test_each_resident_id_error_reads_whole_in_english_and_is_translated(value, english):
    """Tests above look for the figures in a message; this one reads it whole, so a changed message
    is seen, and a message whose Chinese translation went missing too."""
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_resident_id(value)
    assert error_message(exc) == english
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_resident_id(value)
    assert error_message(exc) != english


@pytest.mark.parametrize(
    ("value", "english"),
    [
        ("", "Enter a unified social credit code."),
        (VALID_USCC[:17], "A unified social credit code has 18 characters; this one has 17."),
        (
            VALID_USCC[:8] + "I" + VALID_USCC[9:],
            'The character "I" at position 9 is not allowed in a unified social credit code.',
        ),
        (
            VALID_USCC_2[:17] + "0",
            'The check character (the last one) of this unified social credit code should be "L", not "0".',
        ),
    ],
)
def test_each_uscc_error_reads_whole_in_english_and_is_translated(value, english):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert error_message(exc) == english
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert error_message(exc) != english
