"""Form pieces every sub-domain uses: an identifier checked against the kind of entity it names."""

from django import forms

from cases.core import identifiers, uploads
from cases.core.exceptions import InvalidInput
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


ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MaterialFilesField(forms.FileField):
    """Several files chosen at once, each checked as a repair material is (cases.core.uploads: size,
    type by content); the cleaned value is the list of files, empty when none is chosen."""

    def __init__(self, *args, max_files: int = 10, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        try:
            uploads.check_materials([super(MaterialFilesField, self).clean(upload, initial) for upload in files],
                                    most=self.max_files)  # fmt: skip
        except InvalidInput as exc:
            raise forms.ValidationError(exc.details["files"]) from exc
        return files


def clean_phone(value: str) -> str:
    """A form's telephone field: mainland mobile or landline (identifiers.validate_phone)."""
    if not (value or "").strip():
        return ""
    return identifiers.validate_phone(value)
