"""The bulk writer fills what its rows leave out, or refuses before anything is written; every
field's default is also the database's, so a raw writer never meets a column it does not know."""

import pytest
from django.apps import apps
from django.db.models import NOT_PROVIDED

from cases.core.models import Case, User
from cases.infra.bulk import IncompleteRows, complete_rows, insert_rows
from notifications.models import Notification
from tests.factories import StaffFactory

REQUIRED = {"kind": "deadline.reminder", "title": "催办", "body": "请办理"}

# Columns that keep a default in Python only, and why no raw writer can miss them.
PYTHON_ONLY_DEFAULTS = {
    # A random code per case: the database cannot make it; cases are written through the ORM.
    (Case, "verification_code"),
    # django.contrib.auth's own columns, inherited as they are; users are written through the ORM.
    *((User, name) for name in ("password", "is_superuser", "username", "first_name", "last_name", "email",
                                "is_staff", "is_active", "date_joined")),
}  # fmt: skip


def test_a_left_out_column_is_filled_from_the_fields_default():
    [row] = complete_rows(Notification, [{"recipient_id": 1, **REQUIRED}])
    assert (row["payload"], row["attempts"], row["via_live"], row["pending"]) == ({}, {}, True, True)
    assert row["created_at"] is not None and row["read_at"] is None and row["phone"] == ""


def test_each_row_gets_a_default_of_its_own():
    first, second = complete_rows(Notification, [{"recipient_id": 1, **REQUIRED}, {"recipient_id": 2, **REQUIRED}])
    assert first["payload"] is not second["payload"]


def test_rows_that_leave_out_a_column_without_a_default_are_refused():
    with pytest.raises(IncompleteRows, match=r"Notification\.title"):
        complete_rows(Notification, [{"recipient_id": 1, "kind": "deadline.reminder", "body": "请办理"}])


def test_an_unknown_column_is_refused():
    with pytest.raises(IncompleteRows, match="no such columns"):
        complete_rows(Notification, [{"recipient_id": 1, "colour": "red", **REQUIRED}])


def test_rows_naming_different_columns_are_refused():
    with pytest.raises(IncompleteRows, match="same columns"):
        complete_rows(Notification, [{"recipient_id": 1, **REQUIRED}, {"recipient_id": 1, "payload": {}, **REQUIRED}])


@pytest.mark.django_db
def test_insert_rows_writes_rows_that_name_only_the_required_columns():
    user = StaffFactory()
    insert_rows(Notification, [{"recipient_id": user.pk, **REQUIRED} for _ in range(3)])
    notes = Notification.objects.filter(recipient=user)
    assert notes.count() == 3
    assert {(n.phone, n.last_error, n.pending) for n in notes} == {("", "", True)}


@pytest.mark.django_db
def test_a_refused_batch_writes_nothing():
    with pytest.raises(IncompleteRows):
        insert_rows(Notification, [{"recipient_id": StaffFactory().pk, "kind": "deadline.reminder"}])
    assert not Notification.objects.exists()


def _has_python_default(field) -> bool:
    text_default = field.blank and field.empty_strings_allowed  # Django's implicit "" for blank text
    auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    return field.has_default() or auto or text_default


def test_every_column_with_a_default_in_python_has_it_in_the_database_too():
    """A column added with a default but no db_default breaks every COPY and raw INSERT that was
    written before it (issue: the sweep's COPY put NULL into notifications.phone)."""
    missing = [
        f"{model.__name__}.{field.name}"
        for app in ("cases", "notifications")
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.null and _has_python_default(field)
        and field.db_default is NOT_PROVIDED and (model, field.name) not in PYTHON_ONLY_DEFAULTS
    ]  # fmt: skip
    assert missing == []


def test_each_kind_of_left_out_column_gets_what_the_orm_would_give():
    from datetime import datetime

    from django.db import models

    from cases.infra.bulk import _filler

    now = datetime(2026, 12, 2, 8, 0)
    assert _filler(models.DateTimeField(auto_now=True), now)() == now
    assert _filler(models.DateTimeField(auto_now_add=True), now)() == now
    assert _filler(models.IntegerField(default=7), now)() == 7
    assert _filler(models.IntegerField(db_default=7), now) is None  # the database fills it
    assert _filler(models.IntegerField(null=True), now)() is None
    assert _filler(models.CharField(max_length=5, blank=True), now)() == ""
    blank_number = models.IntegerField(blank=True)
    blank_number.set_attributes_from_name("count")
    blank_number.model = Notification
    with pytest.raises(IncompleteRows, match=r"Notification\.count"):
        _filler(blank_number, now)  # blank but not text: no value to invent


def test_no_rows_write_nothing_and_complete_rows_are_kept_as_they_are():
    assert complete_rows(Notification, []) == []
    insert_rows(Notification, [])  # no query: this test has no database
    every_column = {field.attname: None for field in Notification._meta.concrete_fields if not field.primary_key}
    rows = [every_column]
    assert complete_rows(Notification, rows) is rows
