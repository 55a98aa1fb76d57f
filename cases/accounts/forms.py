from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from cases.core.forms import MOBILE, clean_identifier
from cases.core.models.org import EntityKind


class ApplicantSignUpForm(UserCreationForm):
    """An enterprise (by its USCC) or a person (by resident ID) opens an account to apply online."""

    full_name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.RegexField(
        label=_("Mobile phone"),
        regex=MOBILE,
        error_messages={"invalid": _("Enter an 11-digit mainland mobile number.")},
        help_text=_("Progress reaches you by SMS."),
    )
    entity_kind = forms.ChoiceField(label=_("Applying as"), choices=EntityKind.choices)
    entity_name = forms.CharField(label=_("Enterprise or person name"), max_length=200)
    id_number = forms.CharField(label=_("Unified social credit code or resident ID number"), max_length=30)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "full_name", "phone", "entity_kind", "entity_name", "id_number")

    def clean(self):
        cleaned = super().clean()
        clean_identifier(self, "entity_kind", "id_number")
        return cleaned
