"""The admin of credit records: shown read-only (registered through cases.records.services)."""

from django.contrib import admin

from cases.core.models import CreditRecord
from cases.infra.admin import ReadOnlyAdmin


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = ["decision_number", "party", "record_type", "severity", "department", "repairable_from", "status"]
    list_filter = ["record_type", "severity", "status", "department"]
    search_fields = ["decision_number", "party__name", "party__id_number"]
