"""Forms that take identifiers and records; they validate, the services write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.core.forms import clean_identifier
from cases.core.models import CreditRecord, RecordType, Severity
from cases.core.models.org import EntityKind
from cases.records.windows import severity_error

# The words departments' spreadsheets use for the choices.
KIND_WORDS = {
    "企业": EntityKind.ENTERPRISE,
    "法人": EntityKind.ENTERPRISE,
    "个人": EntityKind.PERSON,
    "自然人": EntityKind.PERSON,
}
TYPE_WORDS = {
    "行政处罚": RecordType.PENALTY,
    "行政处罚信息": RecordType.PENALTY,
    "严重失信主体名单": RecordType.SERIOUS_LIST,
    "严重失信": RecordType.SERIOUS_LIST,
    "其他": RecordType.OTHER,
}
SEVERITY_WORDS = {"轻微": Severity.MINOR, "一般": Severity.GENERAL, "严重": Severity.SERIOUS}
YES_WORDS = {"是": "true", "否": "false", "简易程序": "true", "普通程序": "false"}


class CreditRecordForm(forms.Form):
    party_kind = forms.ChoiceField(label=_("Party type"), choices=EntityKind.choices)
    party_name = forms.CharField(label=_("Party name"), max_length=200)
    party_id_number = forms.CharField(
        label=_("Unified social credit code or resident ID number"), max_length=30, strip=True
    )
    record_type = forms.ChoiceField(label=_("Record type"), choices=RecordType.choices)
    decision_number = forms.CharField(label=_("Decision number"), max_length=100)
    decided_on = forms.DateField(label=_("Decision date"))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    simple_procedure = forms.BooleanField(label=_("Decided by the simple procedure"), required=False)
    summary = forms.CharField(label=_("Facts and decision"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    published_from = forms.DateField(
        label=_("Published from"), required=False, help_text=_("Leave empty to publish from the decision date.")
    )
    party_phone = forms.CharField(
        label=_("Party's mobile number on record"),
        max_length=20,
        required=False,
        help_text=_("From the case file. Codes that verify the party's online account are sent only to this number."),
    )

    def clean_party_phone(self):
        phone = self.cleaned_data.get("party_phone", "").replace(" ", "").replace("-", "")
        if phone and not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
            raise forms.ValidationError(_("Give an 11-digit mobile number."))
        return phone

    def clean_decision_number(self):
        number = self.cleaned_data["decision_number"].strip()
        if CreditRecord.objects.filter(decision_number=number).exists():
            raise forms.ValidationError(_("A record with this decision number is already registered."))
        return number

    def clean_decided_on(self):
        decided_on = self.cleaned_data["decided_on"]
        if decided_on > timezone.localdate():
            raise forms.ValidationError(_("The decision date cannot be in the future."))
        return decided_on

    def clean(self):
        cleaned = super().clean()
        clean_identifier(self, "party_kind", "party_id_number")
        decided_on = cleaned.get("decided_on")
        if decided_on and not cleaned.get("published_from"):
            cleaned["published_from"] = decided_on
        if decided_on and cleaned.get("published_from") and cleaned["published_from"] < decided_on:
            self.add_error("published_from", _("Publication cannot start before the decision date."))
        if cleaned.get("record_type") and cleaned.get("severity"):
            error = severity_error(cleaned["record_type"], cleaned["severity"], cleaned.get("simple_procedure", False))
            if error:
                self.add_error("severity", error)
        return cleaned


class NotRepairableForm(forms.Form):
    not_repairable = forms.BooleanField(label=_("This record cannot be repaired"), required=False)
    basis = forms.CharField(
        label=_("Legal basis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("The law, regulation or policy document that rules out repair; the entity reads it."),
    )


class RecordImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_("One record a row, with a header row; at most 5 MB and 5,000 rows."),
    )
