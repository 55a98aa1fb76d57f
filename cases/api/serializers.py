import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.core import identifiers, identity
from cases.core.models import BindingMethod, BindingRole, CreditRecord, Department, RecordType, Severity, User
from cases.core.models.org import EntityKind
from cases.records.forms import CreditRecordForm


class TextOnly:
    """JSON input is taken as the schema says: a text field wants a JSON string (DRF would turn
    0 or 1.5 into "0" or "1.5"), an amount a string like "860000.00" (a JSON number may have
    lost its cents already)."""

    default_error_messages = {"not_text": _("Send this as a JSON string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class TextField(TextOnly, serializers.CharField):
    pass


class TextPatternField(TextOnly, serializers.RegexField):
    pass


class AmountField(TextOnly, serializers.DecimalField):
    pass


class JsonBooleanField(serializers.BooleanField):
    """A JSON true or false, as the schema says: not 0, 1 or "true"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class WholeNumberField(serializers.IntegerField):
    """An integer as the schema says: "5" or 5, not "5.0", 5.5 or true."""

    def to_internal_value(self, data):
        if isinstance(data, bool | float) or (isinstance(data, str) and not re.fullmatch(r"-?\d+", data.strip())):
            self.fail("invalid")
        return super().to_internal_value(data)


class SingleValuedQuery(serializers.Serializer):
    """Query parameters given once each: ?days=1&days=5 is refused, not read as the last one."""

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            repeated = {name: [_("Give this parameter once.")] for name in self.fields if len(data.getlist(name)) > 1}
            if repeated:
                raise serializers.ValidationError(repeated)
        return super().to_internal_value(data)


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name_zh", "name_en", "is_supervising_unit"]


class VerifiedEntitySerializer(serializers.Serializer):
    entity_kind = serializers.ChoiceField(choices=EntityKind.choices)
    entity_name = serializers.CharField()
    role = serializers.ChoiceField(choices=BindingRole.choices)
    method = serializers.ChoiceField(choices=BindingMethod.choices)
    verified_at = serializers.DateTimeField()


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    department = DepartmentSerializer(read_only=True)
    verified_entity = serializers.SerializerMethodField(
        help_text="The enterprise or person this account acts for, once verified (实名认证); null until then. "
        "entity_kind and entity_name are what the account named at sign-up."
    )

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "roles", "department", "entity_kind", "entity_name", "verified_entity"]

    def get_roles(self, user) -> list[str]:
        return sorted(user.role_names)

    @extend_schema_field(VerifiedEntitySerializer(allow_null=True))
    def get_verified_entity(self, user) -> dict | None:
        binding = identity.binding_of(user)
        return VerifiedEntitySerializer(binding).data if binding else None


class WorkingDaysQuerySerializer(SingleValuedQuery):
    start = serializers.DateField()
    days = WholeNumberField(min_value=-366, max_value=366)


class WorkingDaysResultSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    due = serializers.DateField()
    calendar_missing_years = serializers.ListField(child=serializers.IntegerField())


class CreditRecordSerializer(serializers.ModelSerializer):
    party_name = serializers.CharField(source="party.name")
    party_kind = serializers.CharField(source="party.kind")
    party_id_number = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.code")

    class Meta:
        model = CreditRecord
        fields = [
            "id", "decision_number", "record_type", "severity", "department", "decided_on", "summary",
            "published_from", "repairable_from", "display_until", "status", "simple_procedure", "not_repairable",
            "not_repairable_basis", "party_kind", "party_name", "party_id_number",
        ]  # fmt: skip

    def get_party_id_number(self, record) -> str:
        # Lists mask personal identifiers (docs/domain.md, "Who may see what").
        if record.party.kind == "person":
            return identifiers.mask_resident_id(record.party.id_number)
        return record.party.id_number


class CreditRecordRegistrationSerializer(serializers.Serializer):
    """The same checks as the registration page: they live in CreditRecordForm."""

    party_kind = serializers.ChoiceField(choices=EntityKind.choices)
    party_name = TextField(max_length=200)
    party_id_number = TextField(max_length=30)
    record_type = serializers.ChoiceField(choices=RecordType.choices)
    decision_number = TextField(max_length=100)
    decided_on = serializers.DateField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    summary = TextField(max_length=5000)
    published_from = serializers.DateField(required=False, allow_null=True)
    party_phone = TextField(max_length=20, required=False, allow_blank=True)
    simple_procedure = JsonBooleanField(
        required=False, default=False, help_text="An administrative penalty by simple procedure (must be minor)"
    )

    def validate(self, attrs):
        form = CreditRecordForm(data=dict(self.initial_data.items()))
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data(escape_html=True))
        return form.cleaned_data
