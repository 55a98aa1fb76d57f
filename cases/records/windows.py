"""Rules of published credit records: how long they are displayed and when they can be repaired."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from cases.core import policies
from cases.core.models import RecordType, Severity


def publicity_window(severity: str, published_from: date) -> tuple[date, date]:
    """(repairable_from, display_until) for a record of `severity` published on `published_from`.

    After the shortest period the entity may apply for repair; after the longest, display stops
    by itself (国办发〔2025〕22号; the periods are policy data).
    """
    shortest = policies.months("repair", f"{severity}_shortest_months")
    longest = policies.months("repair", f"{severity}_longest_months")
    return published_from + relativedelta(months=shortest), published_from + relativedelta(months=longest)


def is_repairable(record, today: date) -> bool:
    return (
        record.status == "published"
        and not record.not_repairable
        and record.repairable_from <= today < record.display_until
    )


def severity_error(record_type: str, severity: str, simple_procedure: bool = False) -> str | None:
    """Why this severity does not fit the record type, or None: the policy table names the
    severities a type allows (a serious-dishonesty list entry is serious; an administrative
    penalty by simple procedure is minor); a type it does not name allows any."""
    code = "penalty_simple_procedure" if record_type == RecordType.PENALTY and simple_procedure else record_type
    rule = next((item for item in policies.choices("repair", "severity_by_record_type") if item["code"] == code), None)
    if rule is None or severity in rule.get("severities", []):
        return None
    allowed = "、".join(str(Severity(value).label) for value in rule.get("severities", []) if value in Severity.values)
    return _("The severity does not fit the record type: %(rule)s (allowed: %(allowed)s).") % {
        "rule": rule.get("name", code),
        "allowed": allowed,
    }
