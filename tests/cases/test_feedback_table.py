"""The one table of what each step tells the person (cases/core/feedback.py)."""

import pytest
from django.utils import translation

from cases.core import feedback
from cases.core.event_types import EventType


def test_every_message_reads_in_chinese_with_the_case_number():
    payload = {"due_on": "2026-12-01", "merged_into": "TS2026000002", "task": "受理", "file": "a.pdf", "days": 3}
    with translation.override("zh-hans"):
        for event_type, entry in feedback.DONE.items():
            values = entry[1].keys() if isinstance(entry, tuple) else [None]
            for value in values:
                field = entry[0] if isinstance(entry, tuple) else "unused"
                text = feedback.message_for(event_type, {**payload, field: value}, "XF2026000001", file="a.pdf", days=3)
                assert "XF2026000001" in text, event_type
                assert not any("a" <= ch <= "z" for ch in text.replace("a.pdf", "")), (event_type, text)


def test_a_merged_complaint_says_where_it_went():
    with translation.override("zh-hans"):
        text = feedback.message_for(EventType.COMPLAINT_REJECT, {"merged_into": "TS2026000002"}, "TS2026000003")
    assert text == "投诉 TS2026000003 已并入 TS2026000002，已告知投诉人。"


def test_the_step_is_told_before_what_it_set_off():
    order = list(feedback.DONE)
    assert order.index(EventType.COMPLAINT_ORDER_RECTIFICATION) < order.index(EventType.COMPLAINT_ANSWER)
    assert order.index(EventType.COMPLAINT_CONFIRM_BREACH) < order.index(EventType.COMPLAINT_CLOSE)
    assert order.index(EventType.COMPLAINT_CONFIRM) < order.index(EventType.COMPLAINT_CLOSE)
    assert order.index(EventType.REPAIR_ACCEPT) < order.index(EventType.CASE_CLAIMED)


@pytest.mark.django_db
def test_a_step_that_wrote_nothing_reads_as_an_update(rf, caseworker):
    from django.contrib.messages.storage.fallback import FallbackStorage

    from tests.factories import CaseFactory

    case = CaseFactory()
    request = rf.post("/")
    request.user, request.session = caseworker, {}
    request._messages = FallbackStorage(request)
    with translation.override("zh-hans"):
        assert feedback.announce(request, case, feedback.mark()) == f"案件 {case.number} 已更新。"
