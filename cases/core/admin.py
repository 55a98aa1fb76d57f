"""The admin of the shared kernel: departments, policy values and the calendar (changed through
cases.core.services, so that every edit is checked and audited), and the system's own rows (cases,
deadlines, parties, the audit trail), shown read-only."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cases.core import events, services
from cases.core.exceptions import DomainError
from cases.core.models import AuditEvent, Case, Deadline, Department, Holiday, Party, Policy, ReplyPhrase, SavedFilter
from cases.infra.admin import ReadOnlyAdmin

SEAL_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
DOCUMENT_FIELDS = ["document_prefix", "reconsideration_body", "contact_line", "seal_image", "signing_key"]


class DepartmentForm(forms.ModelForm):
    """The seal and the signing key are uploaded, never shown or linked back (they are private
    files); the passphrase is typed, never shown back, and kept when left empty. A key is taken
    only if it opens with its passphrase."""

    signing_passphrase = forms.CharField(
        label=_("signing key passphrase"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the passphrase already set."),
    )  # fmt: skip
    remove_signing_key = forms.BooleanField(
        label=_("remove the signing key"), required=False,
        help_text=_("Notices issued afterwards are unsigned until a new key is set."),
    )  # fmt: skip

    class Meta:
        model = Department
        fields = ["code", "name_zh", "name_en", "is_supervising_unit", "active", *DOCUMENT_FIELDS[:3],
                  "seal_image", "signing_key"]  # fmt: skip
        widgets = {"seal_image": forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
                   "signing_key": forms.FileInput(attrs={"accept": ".p12,.pfx"})}  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept_passphrase = self.instance.signing_passphrase

    def clean_seal_image(self):
        upload = self.cleaned_data.get("seal_image")
        if upload and upload is not self.instance.seal_image:
            head = upload.read(8)
            upload.seek(0)
            if not head.startswith(SEAL_SIGNATURES):
                raise forms.ValidationError(_("Upload the seal as a PNG or JPEG image."))
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove_signing_key"):
            return cleaned
        upload = cleaned.get("signing_key")
        passphrase = cleaned.get("signing_passphrase") or self.kept_passphrase
        if upload and upload is not self.instance.signing_key:
            from cryptography.hazmat.primitives.serialization import pkcs12

            data = upload.read()
            upload.seek(0)
            try:
                key, certificate, _others = pkcs12.load_key_and_certificates(data, passphrase.encode() or None)
            except ValueError as exc:
                raise forms.ValidationError(
                    {"signing_key": _("The key does not open with this passphrase, or is not a PKCS#12 file.")}
                ) from exc
            if key is None or certificate is None:
                raise forms.ValidationError({"signing_key": _("The file holds no private key with its certificate.")})
        return cleaned

    def save(self, commit=True):
        department = super().save(commit=False)
        if self.cleaned_data.get("remove_signing_key"):
            department.signing_key = ""
            department.signing_passphrase = ""
        else:
            department.signing_passphrase = self.cleaned_data.get("signing_passphrase") or self.kept_passphrase
        if commit:
            department.save()
        return department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ["code", "name_zh", "name_en", "document_prefix", "has_seal", "signs_notices",
                    "is_supervising_unit", "active"]  # fmt: skip
    list_filter = ["is_supervising_unit", "active"]
    search_fields = ["code", "name_zh", "name_en"]
    readonly_fields = ["has_seal", "signs_notices"]
    fieldsets = [
        (None, {"fields": ["code", "name_zh", "name_en", "is_supervising_unit", "active"]}),
        (_("Notices"), {
            "fields": [*DOCUMENT_FIELDS[:3], "has_seal", "seal_image", "signs_notices", "signing_key",
                       "signing_passphrase", "remove_signing_key"],
            "description": _("A unit without a signing key still issues its notices, unsigned: set one so "
                             "that each PDF carries the unit's digital signature."),
        }),
    ]  # fmt: skip

    @admin.display(boolean=True, description=_("seal image"))
    def has_seal(self, obj):
        return bool(obj.seal_image)

    @admin.display(boolean=True, description=_("signs its notices"))
    def signs_notices(self, obj):
        return bool(obj.signing_key)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = [name for name in DOCUMENT_FIELDS if name in form.changed_data]
        if form.cleaned_data.get("signing_passphrase"):
            changed.append("signing_passphrase")
        if form.cleaned_data.get("remove_signing_key"):
            changed += ["signing_key", "signing_passphrase"]
        if changed:
            events.department_documents_changed_event(department=obj, actor=request.user, changed=sorted(set(changed)))
        if not obj.signing_key:
            self.message_user(request, _("%(unit)s has no signing key: its notices are issued unsigned.")
                              % {"unit": obj.name_zh}, level=messages.WARNING)  # fmt: skip


class ServiceBackedAdmin(admin.ModelAdmin):
    """Saves through cases.core.services so that every admin edit is checked and audited."""

    def run_service(self, request, call):
        try:
            call()
        except DomainError as exc:
            details = "; ".join(f"{msg}" for msgs in exc.details.values() for msg in msgs)
            self.message_user(request, f"{exc.message} {details}".strip(), level=messages.ERROR)


@admin.register(Policy)
class PolicyAdmin(ServiceBackedAdmin):
    list_display = ["label", "case_type", "key", "kind", "value", "basis", "updated_at"]
    list_filter = ["case_type", "kind"]
    search_fields = ["key", "label"]
    readonly_fields = ["case_type", "key", "kind", "label", "basis", "updated_at"]
    fields = ["case_type", "key", "kind", "label", "value", "basis", "updated_at"]

    def has_add_permission(self, request):
        return False  # the keys are the ones code reads; only their values change

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        self.run_service(request, lambda: services.change_policy(policy_id=obj.pk, actor=request.user, value=obj.value))


@admin.register(Holiday)
class HolidayAdmin(ServiceBackedAdmin):
    list_display = ["date", "name", "is_working_day"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def get_readonly_fields(self, request, obj=None):
        return ["date"] if obj else []

    def save_model(self, request, obj, form, change):
        self.run_service(
            request,
            lambda: services.save_holiday(
                actor=request.user, day=obj.date, is_working_day=obj.is_working_day, name=obj.name
            ),
        )

    def delete_model(self, request, obj):
        self.run_service(request, lambda: services.remove_holiday(actor=request.user, holiday_id=obj.pk))

    def delete_queryset(self, request, queryset):
        for holiday in queryset:
            self.delete_model(request, holiday)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "reference", "event_type", "actor", "from_state", "to_state"]
    list_filter = ["event_type", "subject_type"]
    search_fields = ["reference", "event_type"]
    date_hierarchy = "created_at"


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "title", "state", "department", "assignee", "created_at", "closed_at"]
    list_filter = ["kind", "state", "department"]
    search_fields = ["number", "title"]


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["case", "label", "department", "due_on", "stage", "paused_at", "closed_at"]
    list_filter = ["stage", "department"]
    search_fields = ["case__number"]


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "id_number", "phone", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "id_number"]


@admin.register(ReplyPhrase)
class ReplyPhraseAdmin(ReadOnlyAdmin):
    """A department's reply phrases: kept by its head on the phrases page (checked there)."""

    list_display = ["title", "department", "position", "updated_by", "updated_at"]
    list_filter = ["department"]
    search_fields = ["title", "text"]


@admin.register(SavedFilter)
class SavedFilterAdmin(ReadOnlyAdmin):
    """The filters people keep on their lists: their own, changed only from the lists."""

    list_display = ["name", "user", "list_key", "is_default", "created_at"]
    list_filter = ["list_key"]
    search_fields = ["name", "user__username"]
