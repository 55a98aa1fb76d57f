"""The admin of supervision orders: shown read-only (issued and answered through
cases.supervision.services)."""

from django.contrib import admin

from cases.infra.admin import ReadOnlyAdmin
from cases.supervision.models import SupervisionOrder


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    list_display = ["issued_at", "case", "department", "level", "issued_by", "respond_by", "responded_at"]
    list_filter = ["level", "department"]
    search_fields = ["case__number", "reason", "response"]
