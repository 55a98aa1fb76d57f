"""The admin of the shared kernel: departments, policy values and the calendar (changed through
cases.core.services, so that every edit is checked and audited), and the system's own rows (cases,
deadlines, parties, the audit trail), shown read-only."""

from django.contrib import admin, messages

from cases.core import services
from cases.core.exceptions import DomainError
from cases.core.models import AuditEvent, Case, Deadline, Department, Holiday, Party, Policy
from cases.infra.admin import ReadOnlyAdmin


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "is_supervising_unit", "active"]
    list_filter = ["is_supervising_unit", "active"]
    search_fields = ["code", "name_zh", "name_en"]


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
