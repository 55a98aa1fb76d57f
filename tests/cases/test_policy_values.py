"""What an administrator may save as a policy's value (Policy.clean): lists of coded items, each
code once, or a whole number of days, months or times that is not negative."""

import pytest
from django.core.exceptions import ValidationError

from cases.core.models.policy import Policy, PolicyKind


def clean(kind, value):
    Policy(kind=kind, value=value).clean()


@pytest.mark.parametrize(
    "value",
    [
        "not a list",
        [{"code": "a"}],  # no name
        [{"name": "甲"}],  # no code
        ["a"],
        [{"code": "a", "name": "甲"}, {"code": "a", "name": "乙"}],  # one code twice
    ],
)
def test_a_list_of_items_needs_a_code_and_a_name_each_and_codes_once(value):
    with pytest.raises(ValidationError):
        clean(PolicyKind.CHOICES, value)


def test_a_list_of_coded_items_is_kept():
    clean(PolicyKind.CHOICES, [{"code": "a", "name": "甲"}, {"code": "b", "name": "乙"}])


@pytest.mark.parametrize("value", [-1, True, 1.5, "3"])
def test_a_number_of_days_is_a_whole_number_not_below_zero(value):
    with pytest.raises(ValidationError):
        clean(PolicyKind.WORKING_DAYS, value)


@pytest.mark.parametrize("kind", [PolicyKind.WORKING_DAYS, PolicyKind.MONTHS, PolicyKind.COUNT])
def test_zero_and_positive_whole_numbers_are_kept(kind):
    clean(kind, 0)
    clean(kind, 15)
