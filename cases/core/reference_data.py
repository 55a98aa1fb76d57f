"""Seeding of the district's departments from the shipped departments.csv."""

import csv
from pathlib import Path

DEPARTMENTS_CSV = Path(__file__).resolve().parent / "data" / "departments.csv"


def load_departments(department_model) -> int:
    """Insert the district units the table does not have yet. Returns rows added."""
    with DEPARTMENTS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    existing = set(department_model.objects.values_list("code", flat=True))
    new = [
        department_model(
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            is_supervising_unit=row["role"] == "supervisor",
        )
        for row in rows
        if row["code"] not in existing
    ]
    department_model.objects.bulk_create(new)
    return len(new)


def load_all() -> None:
    """Departments, policy defaults and the official calendar (what migrations seed), if missing."""
    from cases.core import calendar_seed, policies
    from cases.core.models import Department, Holiday, Policy

    load_departments(Department)
    policies.load_defaults(Policy)
    if not Holiday.objects.exists():
        calendar_seed.load_official_schedule(Holiday)
