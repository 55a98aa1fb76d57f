from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from cases.accounts import staff_accounts
from cases.complaints.models import Channel, Complaint, WorkOrder
from cases.core import services
from cases.core.exceptions import DomainError
from cases.core.models import (
    AuditEvent,
    Case,
    CreditRecord,
    Deadline,
    Department,
    Holiday,
    IdentityBinding,
    Party,
    Policy,
    User,
)
from cases.core.roles import ADMINISTRATOR_ROLES, ROLES_THE_SECURITY_ADMIN_ASSIGNS, Role
from cases.supervision.models import SupervisionOrder

admin.site.site_header = _("Chengxin administration")
admin.site.site_title = _("Chengxin")
admin.site.index_title = _("Reference data and users")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the system: inspected here, changed only through the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "is_supervising_unit", "active"]
    list_filter = ["is_supervising_unit", "active"]
    search_fields = ["code", "name_zh", "name_en"]


# Set by no page at all: a superuser comes from `createsuperuser` only, and permissions come
# with roles (cases/roles.py), never one by one. Refused at save even if a form were to carry them.
NEVER_FROM_A_PAGE = ("is_superuser", "user_permissions", "is_staff")
PERSONAL_FIELDS = ("full_name", "email", "phone", "department", "entity_kind", "entity_name", "id_number")


def _manages_users(request) -> bool:
    return request.user.has_perm("cases.change_user")


def _manages_security(request) -> bool:
    return request.user.has_perm(staff_accounts.PERMISSION)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """The system administrator edits people's own data; the security administrator their roles
    and lock (cases/staff_accounts.py); nobody their own roles, and nobody superuser status or
    single permissions."""

    list_display = ["username", "full_name", "department", "entity_kind", "is_active", "is_staff"]
    list_filter = ["groups", "department", "entity_kind", "is_active"]
    search_fields = ["username", "full_name", "entity_name", "phone"]
    readonly_fields = ["last_login", "date_joined", "roles"]
    actions = ["unlock_sign_in", "reset_second_factor"]

    @admin.action(description=_("Lift the sign-in lock-out"), permissions=["manage_security"])
    def unlock_sign_in(self, request, queryset):
        for user in queryset:
            try:
                staff_accounts.unlock_sign_in(actor=request.user, user_id=user.pk)
            except DomainError as exc:
                self.message_user(request, f"{user.username}: {exc.message}", level=messages.ERROR)
            else:
                self.message_user(request, _("Sign-in lock-out lifted for %(user)s.") % {"user": user.username})

    @admin.action(description=_("Reset the second factor"), permissions=["manage_security"])
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            try:
                staff_accounts.reset_second_factor(actor=request.user, user_id=user.pk)
            except DomainError as exc:
                self.message_user(request, f"{user.username}: {exc.message}", level=messages.ERROR)
            else:
                self.message_user(request, _("Second factor reset for %(user)s.") % {"user": user.username})

    def has_manage_security_permission(self, request):
        return _manages_security(request)

    @admin.display(description=_("Roles"))
    def roles(self, obj):
        return ", ".join(sorted(str(Role(name).label) for name in obj.role_names if name in Role.values)) or "-"

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets = [(None, {"fields": ("username", "password") if _manages_users(request) else ("username",)})]
        fieldsets.append((_("Chengxin"), {"fields": PERSONAL_FIELDS}))
        if _manages_security(request) and obj.pk != request.user.pk and not obj.is_superuser:
            fieldsets.append((_("Roles and access"), {"fields": ("is_active", "groups")}))
        else:
            fieldsets.append((_("Roles and access"), {"fields": ("is_active", "roles")}))
        fieldsets.append((_("Important dates"), {"fields": ("last_login", "date_joined")}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is None:
            return readonly
        if not _manages_users(request):
            readonly += ["username", *PERSONAL_FIELDS]
        if not (_manages_security(request) and obj.pk != request.user.pk and not obj.is_superuser):
            readonly += ["is_active"]
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=ROLES_THE_SECURITY_ADMIN_ASSIGNS).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or _manages_security(request)

    def has_change_permission(self, request, obj=None):
        return _manages_users(request) or _manages_security(request)

    def has_delete_permission(self, request, obj=None):
        return False  # people leave by being locked: their audit trail keeps pointing at them

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        if user is not None and not self._may_set_password(request, user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @staticmethod
    def _may_set_password(request, user) -> bool:
        if user.pk == request.user.pk:
            return True
        # The system administrator sets passwords, but not another administrator's: that would
        # be a way into the other two's accounts.
        return _manages_users(request) and not user.is_superuser and not (user.role_names & ADMINISTRATOR_ROLES)

    def save_model(self, request, obj, form, change):
        before = User.objects.filter(pk=obj.pk).first() if change else None
        for name in ("is_superuser", "is_staff"):
            if getattr(obj, name) != (getattr(before, name) if before else False):
                raise PermissionDenied(f"{name} is not set from a page")
        if before is not None and obj.is_active != before.is_active:
            active = obj.is_active
            obj.is_active = before.is_active
            super().save_model(request, obj, form, change)
            staff_accounts.set_active(actor=request.user, user_id=obj.pk, active=active)
            obj.is_active = active
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if "user_permissions" in form.cleaned_data:
            raise PermissionDenied("user_permissions is not set from a page")
        roles = form.cleaned_data.pop("groups", None)
        super().save_related(request, form, formsets, change)
        if roles is not None:
            staff_accounts.change_roles(
                actor=request.user, user_id=form.instance.pk, roles={group.name for group in roles}
            )


admin.site.unregister(Group)  # the roles' permissions are code (cases/roles.py), not page data


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


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    list_display = ["issued_at", "case", "department", "level", "issued_by", "respond_by", "responded_at"]
    list_filter = ["level", "department"]
    search_fields = ["case__number", "reason", "response"]


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "id_number", "phone", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "id_number"]


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = ["decision_number", "party", "record_type", "severity", "department", "repairable_from", "status"]
    list_filter = ["record_type", "severity", "status", "department"]
    search_fields = ["decision_number", "party__name", "party__id_number"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "active", "expires_at", "accepts_legacy_signatures", "legacy_signatures_until",
                    "callback_url"]  # fmt: skip
    list_filter = ["active", "accepts_legacy_signatures"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["case", "channel", "channel_reference", "respondent", "subject", "received_at"]
    list_filter = ["channel", "subject"]
    search_fields = ["case__number", "channel_reference", "respondent", "enterprise_name"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    """What the channels sent; one with a failure had no case opened and needs the office."""

    list_display = ["received_at", "channel", "reference", "complaint", "failure"]
    list_filter = ["channel", ("failure", admin.EmptyFieldListFilter)]
    search_fields = ["reference", "complaint__case__number"]
    list_select_related = ["channel", "complaint__case"]


@admin.register(IdentityBinding)
class IdentityBindingAdmin(ReadOnlyAdmin):
    """Bindings are made and ended through their services (audited); the admin only shows them."""

    list_display = ["user", "entity_name", "entity_kind", "role", "method", "verified_at", "verified_by", "revoked_at"]
    list_filter = ["entity_kind", "role", "method"]
    search_fields = ["user__username", "entity_name", "id_number"]


# The outbox kinds' lists (with the dead letters' re-send) build on ReadOnlyAdmin above.
from cases.desk import outbox_admin  # noqa: E402, F401
