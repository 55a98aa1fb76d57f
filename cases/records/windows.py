"""Rules of published credit records: how long they are displayed and when they can be repaired."""

from datetime import date

from dateutil.relativedelta import relativedelta

from cases.core import policies


def publicity_window(severity: str, published_from: date) -> tuple[date, date]:
    """(repairable_from, display_until) for a record of `severity` published on `published_from`.

    After the shortest period the entity may apply for repair; after the longest, display stops
    by itself (国办发〔2025〕22号; the periods are policy data).
    """
    shortest = policies.months("repair", f"{severity}_shortest_months")
    longest = policies.months("repair", f"{severity}_longest_months")
    return published_from + relativedelta(months=shortest), published_from + relativedelta(months=longest)


def is_repairable(record, today: date) -> bool:
    return record.status == "published" and record.repairable_from <= today < record.display_until
