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


GOVERNMENT_DEPARTMENT = "government_department"  # cases.complaints.models.BodyKind


def load_respondent_bodies(body_model, department_model) -> int:
    """The registry of respondent bodies gets each district department (not the supervising unit)
    as a body it supervises itself. A body already there under a department's name (written by
    the integrity record before the registry) gets that department; others are kept as they are.
    Returns rows added."""
    with DEPARTMENTS_CSV.open(encoding="utf-8") as handle:
        codes = [row["code"] for row in csv.DictReader(handle) if row["role"] == "department"]
    departments = department_model.objects.filter(code__in=codes)
    existing = {body.name: body for body in body_model.objects.filter(name__in=[d.name_zh for d in departments])}
    added = 0
    for department in departments:
        body = existing.get(department.name_zh)
        if body is None:
            body_model.objects.create(name=department.name_zh, supervising_department=department,
                                      kind=GOVERNMENT_DEPARTMENT)  # fmt: skip
            added += 1
        elif body.supervising_department_id is None:
            body.supervising_department = department
            body.kind = GOVERNMENT_DEPARTMENT
            body.save(update_fields=["supervising_department", "kind"])
    return added


def load_all() -> None:
    """Departments, policy defaults, the official calendar and the registry's district bodies
    (what migrations seed), if missing."""
    from django.apps import apps

    from cases.core import calendar_seed, policies
    from cases.core.models import Department, Holiday, Policy

    load_departments(Department)
    policies.load_defaults(Policy)
    load_respondent_bodies(apps.get_model("cases", "RespondentBody"), Department)
    if not Holiday.objects.exists():
        calendar_seed.load_official_schedule(Holiday)
