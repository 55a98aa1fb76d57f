"""Edge days of the date rules on published records and identifiers: the first and last valid day,
the day after, month and year ends, and the office's midnight (Asia/Shanghai, UTC+8) against UTC.

Each test names the rule it guards; a rule moved by one day makes one of them fail."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases.core.exceptions import InvalidInput
from cases.core.identifiers import validate_resident_id
from cases.core.models import CreditRecord, Party
from cases.records import watch as record_watch
from cases.records import windows as records
from cases.records.forms import CreditRecordForm
from cases.repair import services as repair_services
from tests.factories import ApplicantFactory, register_penalty, valid_resident_id, valid_uscc

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
USCC = valid_uscc("91620702MA71ABCD0")


def local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A moment on the office's clock (it is 8 hours ahead of UTC: local midnight is 16:00 UTC)."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def last_second_of(day: date) -> datetime:
    return local(day, 23, 59, 59)


def record_on_display(repairable_from: date, display_until: date):
    return SimpleNamespace(
        status="published", repairable_from=repairable_from, display_until=display_until, not_repairable=False
    )


# --- the publicity window (records.publicity_window, records.is_repairable) --------------------


@pytest.mark.parametrize(
    ("severity", "published_from", "repairable_from", "display_until"),
    [
        # A month end: 3 months after 31 August is the last day of November, not 1 December.
        ("general", date(2026, 8, 31), date(2026, 11, 30), date(2027, 8, 31)),
        # Across a year end.
        ("general", date(2026, 10, 31), date(2027, 1, 31), date(2027, 10, 31)),
        # From a leap day: a year later is 28 February.
        ("serious", date(2028, 2, 29), date(2029, 2, 28), date(2031, 2, 28)),
        # Minor: repairable the day it is published.
        ("minor", date(2026, 12, 31), date(2026, 12, 31), date(2027, 3, 31)),
    ],
)
def test_the_publicity_window_at_month_and_year_ends(severity, published_from, repairable_from, display_until):
    assert records.publicity_window(severity, published_from) == (repairable_from, display_until)


def test_a_record_is_repairable_from_its_first_repairable_day_not_the_day_before():
    record = record_on_display(date(2026, 6, 2), date(2027, 3, 2))
    assert not records.is_repairable(record, date(2026, 6, 1))
    assert records.is_repairable(record, date(2026, 6, 2))


def test_a_record_is_repairable_up_to_the_day_before_display_ends_not_on_that_day():
    record = record_on_display(date(2026, 6, 2), date(2027, 3, 2))
    assert records.is_repairable(record, date(2027, 3, 1))
    assert not records.is_repairable(record, date(2027, 3, 2))
    assert not records.is_repairable(record, date(2027, 3, 3))


def test_a_record_no_longer_displayed_is_not_repairable_even_inside_its_window():
    record = SimpleNamespace(
        status="expired", repairable_from=date(2026, 6, 2), display_until=date(2027, 3, 2), not_repairable=False
    )
    assert not records.is_repairable(record, date(2026, 6, 2))


# --- applying for repair on the first repairable day (repair_services.unmet_conditions) ---------


@pytest.fixture
def application(caseworker):
    """A draft repair application for a general penalty published 2 March 2026 (repairable from 2 June)."""
    with time_machine.travel(local(date(2026, 3, 5), 9), tick=False):
        record = register_penalty(caseworker)
    applicant = ApplicantFactory(username="entity", id_number=USCC)
    with time_machine.travel(local(date(2026, 3, 6), 9), tick=False):
        return repair_services.start_application(actor=applicant, record_id=record.pk)


def period_not_passed(application) -> bool:
    day = application.record.repairable_from.isoformat()
    return any(day in problem for problem in repair_services.unmet_conditions(application))


def test_applying_is_refused_the_day_before_the_first_repairable_day(application):
    with time_machine.travel(last_second_of(date(2026, 6, 1)), tick=False):
        assert period_not_passed(application)


def test_applying_exactly_on_the_first_repairable_day_is_allowed(application):
    with time_machine.travel(local(date(2026, 6, 2)), tick=False):  # 16:00 UTC on 1 June
        assert period_not_passed(application) is False
    with time_machine.travel(last_second_of(date(2026, 6, 2)), tick=False):
        assert period_not_passed(application) is False


# --- the watch on records: eligible, and display ended (record_watch) --------------------------


@pytest.fixture
def watched(caseworker):
    with time_machine.travel(local(date(2026, 3, 5), 9), tick=False):
        record = register_penalty(caseworker)
    ApplicantFactory(username="entity", id_number=USCC)
    return record


def test_the_entity_is_told_at_the_offices_midnight_of_the_first_repairable_day(watched):
    with time_machine.travel(last_second_of(date(2026, 6, 1)), tick=False):
        assert record_watch.tell_repairable() == 0
    with time_machine.travel(local(date(2026, 6, 2)), tick=False):
        assert record_watch.tell_repairable() == 1


def test_display_ends_at_the_offices_midnight_of_the_day_display_ends(watched):
    with time_machine.travel(last_second_of(date(2027, 3, 1)), tick=False):
        assert record_watch.end_display() == 0
        assert CreditRecord.objects.get().status == "published"
    with time_machine.travel(local(date(2027, 3, 2)), tick=False):  # 16:00 UTC on 1 March
        assert record_watch.end_display() == 1
    assert CreditRecord.objects.get().status == "expired"


# --- the decision date of a registered record (CreditRecordForm and the service behind it) -----


def form_data(**overrides):
    data = {
        "party_kind": "enterprise", "party_name": "示范公司", "party_id_number": USCC, "record_type": "penalty",
        "decision_number": "甘市监罚〔2026〕99号", "decided_on": "2026-12-02", "severity": "general",
        "summary": "罚款 2000 元",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("moment", "valid"),
    [
        (local(date(2026, 12, 2)), True),  # the office's day has begun: 16:00 UTC on 1 December
        (last_second_of(date(2026, 12, 1)), False),  # still 1 December in the office
    ],
)
def test_a_decision_dated_today_is_accepted_and_tomorrow_refused_by_the_form(db, moment, valid):
    with time_machine.travel(moment, tick=False):
        form = CreditRecordForm(data=form_data())
        assert form.is_valid() is valid
        if not valid:
            assert "decided_on" in form.errors


def test_publication_may_start_on_the_decision_day_but_not_the_day_before(db):
    with time_machine.travel(local(date(2026, 12, 2), 9), tick=False):
        assert CreditRecordForm(data=form_data(published_from="2026-12-02")).is_valid()
        form = CreditRecordForm(data=form_data(published_from="2026-12-01"))
        assert not form.is_valid() and "published_from" in form.errors


def test_the_service_refuses_a_decision_dated_tomorrow_in_chinese(caseworker):
    with time_machine.travel(last_second_of(date(2026, 12, 1)), tick=False):
        with pytest.raises(InvalidInput) as refused:
            register_penalty(caseworker, decided_on=date(2026, 12, 2))
        assert refused.value.details["decided_on"] == ["决定日期不能晚于今天。"]
    assert not CreditRecord.objects.exists() and not Party.objects.exists()
    with time_machine.travel(local(date(2026, 12, 2)), tick=False):
        assert register_penalty(caseworker, decided_on=date(2026, 12, 2)).repairable_from == date(2027, 3, 2)


def test_the_service_refuses_publication_before_the_decision_in_chinese(caseworker):
    with time_machine.travel(local(date(2026, 12, 2), 9), tick=False):
        with pytest.raises(InvalidInput) as refused:
            register_penalty(caseworker, decided_on=date(2026, 12, 2), published_from=date(2026, 12, 1))
        assert refused.value.details["published_from"] == ["公示起始日期不能早于决定日期。"]
        record = register_penalty(caseworker, decided_on=date(2026, 12, 1), published_from=date(2026, 12, 1))
    assert record.published_from == date(2026, 12, 1)


# --- a resident ID's date of birth (identifiers.validate_resident_id) --------------------------


def resident_id_born(day: date) -> str:
    return valid_resident_id(f"110105{day:%Y%m%d}002")


def test_a_resident_id_born_today_is_valid_from_the_offices_midnight():
    born = date(2026, 12, 2)
    with time_machine.travel(local(born), tick=False):  # 16:00 UTC on 1 December
        assert validate_resident_id(resident_id_born(born)) == resident_id_born(born)


def test_a_resident_id_born_tomorrow_is_refused_until_the_offices_midnight():
    born = date(2026, 12, 2)
    with time_machine.travel(last_second_of(born - timedelta(days=1)), tick=False):
        with pytest.raises(ValidationError) as refused:
            validate_resident_id(resident_id_born(born))
        assert refused.value.code == "birth_date"


def test_a_resident_id_born_on_new_years_day_across_the_year_end():
    born = date(2027, 1, 1)
    with time_machine.travel(last_second_of(date(2026, 12, 31)), tick=False), pytest.raises(ValidationError):
        validate_resident_id(resident_id_born(born))
    with time_machine.travel(local(born), tick=False):
        assert validate_resident_id(resident_id_born(born))
