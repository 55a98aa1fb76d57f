"""Form pieces every sub-domain uses: an identifier checked against the kind of entity it names."""

from django import forms

from cases.core import identifiers
from cases.core.models.org import EntityKind

MOBILE = r"^1[3-9]\d{9}$"


def validate_identifier(kind: str, value: str) -> str:
    if kind == EntityKind.ENTERPRISE:
        return identifiers.validate_uscc(value)
    return identifiers.validate_resident_id(value)


def clean_identifier(form: forms.Form, kind_field: str, number_field: str) -> None:
    """Check the identifier against the chosen kind (USCC or resident ID), normalised in place."""
    kind, number = form.cleaned_data.get(kind_field), form.cleaned_data.get(number_field)
    if kind and number:
        try:
            form.cleaned_data[number_field] = validate_identifier(kind, number)
        except forms.ValidationError as exc:
            form.add_error(number_field, exc)
