"""The admin of people: their accounts, roles and lock (cases/accounts/staff_accounts.py) and their
identity bindings."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from cases.accounts import staff_accounts
from cases.core.exceptions import DomainError
from cases.core.models import IdentityBinding, User
from cases.core.roles import ADMINISTRATOR_ROLES, ROLES_THE_SECURITY_ADMIN_ASSIGNS, Role
from cases.infra.admin import ReadOnlyAdmin

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


@admin.register(IdentityBinding)
class IdentityBindingAdmin(ReadOnlyAdmin):
    """Bindings are made and ended through their services (audited); the admin only shows them."""

    list_display = ["user", "entity_name", "entity_kind", "role", "method", "verified_at", "verified_by", "revoked_at"]
    list_filter = ["entity_kind", "role", "method"]
    search_fields = ["user__username", "entity_name", "id_number"]
