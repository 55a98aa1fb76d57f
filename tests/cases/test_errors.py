import pytest
from django.test import RequestFactory
from django.utils import translation
from viewflow.fsm import TransitionNotAllowed

from cases.core.exceptions import Conflict, IllegalTransition, InvalidInput, NotFound, NotPermitted
from cases.core.middleware import DomainErrorMiddleware

pytestmark = pytest.mark.django_db


def _respond(exc, path="/home/", accept="text/html"):
    request = RequestFactory().get(path, HTTP_ACCEPT=accept)
    request.user = None
    with translation.override("zh-hans"):
        return DomainErrorMiddleware(lambda r: None).process_exception(request, exc)


@pytest.mark.parametrize(
    ("exc", "status"),
    [(InvalidInput(), 400), (NotPermitted(), 403), (NotFound(), 404), (IllegalTransition(), 409), (Conflict(), 409)],
)
def test_domain_errors_map_to_their_status_in_json(exc, status):
    response = _respond(exc, path="/api/v1/anything/")
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"


def test_json_body_carries_code_message_and_details():
    import json

    response = _respond(InvalidInput(details={"id_number": ["校验码错误"]}), path="/api/v1/x/")
    body = json.loads(response.content)
    assert body == {"error": "invalid_input", "message": "所填信息有误。", "details": {"id_number": ["校验码错误"]}}


def test_an_illegal_state_machine_step_is_a_409_page_in_chinese():
    response = _respond(TransitionNotAllowed("submit :: no transition"))
    assert response.status_code == 409
    assert "当前状态下不能进行此操作" in response.content.decode()


def test_forbidden_page_is_readable_html():
    response = _respond(NotPermitted())
    assert response.status_code == 403
    assert "您没有权限" in response.content.decode()


def test_other_exceptions_are_left_to_django():
    assert _respond(ValueError("boom")) is None
