"""Who gets what, for every URL pattern: one row per pattern (a few patterns have more than one),
one cell per role. A new page needs a row here: tests/security/test_access_matrix.py fails until it
has one.

Cells are the exact answer the role gets:
  200, 201, 302 (a redirect that is not to the sign-in page), 401, 403, 404, 405, or LOGIN (a
  redirect to the sign-in page, Django's or the admin's).
URLs are format strings over the world of tests/security/conftest.py (`{w.repair_case.number}`).

To add a page: copy the row of a page with the same audience and change the route and the URL.
"""

from dataclasses import dataclass, field

from tests.security.conftest import ROLES, pdf_upload

LOGIN = "login"


def expect(default, **cells) -> dict:
    """The same answer for every role, except those named: expect(403, x=200, head=200)."""
    unknown = set(cells) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: cells.get(role, default) for role in ROLES}


SIGNED_IN = expect(200, anon=LOGIN)
PUBLIC = expect(200)
DEPARTMENT_STAFF = expect(403, anon=LOGIN, x=200, y=200, head=200)
STAFF_AND_SUPERVISORS = expect(403, anon=LOGIN, x=200, y=200, head=200, sup=200)
# A's repair case, handled by department X.
SEES_A_REPAIR_CASE = expect(404, anon=LOGIN, a=200, x=200, head=200, sup=200)
ADMIN_ONLY = expect(LOGIN, admin=200, sec=200, audit=200)  # the three administrators


@dataclass(frozen=True)
class Row:
    route: str  # as the URL resolver spells it (see tests/security/routes.py)
    url: str  # format string over the world: "/repair/{w.repair_case.number}/"
    expect: dict
    method: str = "GET"
    data: dict = field(default_factory=dict)  # POST form data (format strings too)
    form: bool = False  # the page holds a form that posts back to this URL
    prepare: str = ""  # a World method to run before the requests (e.g. claim a case first)
    json: bool = False  # send `data` as a JSON body (the API), not as a form
    note: str = ""

    def filled_url(self, world) -> str:
        return self.url.format(w=world)

    def send(self, client, world):
        """The row's request, by the given client."""
        return self.post(client, world) if self.method == "POST" else client.get(self.filled_url(world))

    def post(self, client, world):
        """A POST to the row's URL (a page's own form posts back to it) with the row's data."""
        if self.json:
            return client.post(self.filled_url(world), self.filled_data(world), content_type="application/json")
        return client.post(self.filled_url(world), self.filled_data(world))

    def filled_data(self, world) -> dict:
        return {
            key: value(world) if callable(value) else value.format(w=world) if isinstance(value, str) else value
            for key, value in self.data.items()
        }


TABLE: list[Row] = [
    # Public pages and the account pages.
    Row("", "/", expect(302, anon=200), note="signed-in people go to their desk"),
    Row("home/", "/home/", SIGNED_IN),
    Row("healthz", "/healthz", PUBLIC),
    Row("track/", "/track/", PUBLIC, note="case number + verification code; rate-limited per address"),
    Row("accounts/signup/", "/accounts/signup/", expect(302, anon=200), form=True),
    Row("accounts/login/", "/accounts/login/", PUBLIC, form=True),
    Row("accounts/logout/", "/accounts/logout/", expect(302), method="POST"),
    Row("accounts/password_change/", "/accounts/password_change/", SIGNED_IN, form=True),
    # The second factor (every staff client here has passed it; applicants have not turned it on).
    Row("accounts/two-factor/", "/accounts/two-factor/", SIGNED_IN),
    Row("accounts/two-factor/enrol/", "/accounts/two-factor/enrol/", SIGNED_IN, form=True,
        note="a verified session may move to another app"),
    Row("accounts/two-factor/verify/", "/accounts/two-factor/verify/", expect(302, anon=LOGIN),
        note="already verified, or nothing to verify: on to the desk or the overview"),
    Row("accounts/two-factor/recovery-codes/", "/accounts/two-factor/recovery-codes/",
        expect(200, anon=LOGIN, a=403, b=403), method="POST", note="applicants A and B have no app"),
    Row("accounts/two-factor/off/", "/accounts/two-factor/off/", expect(403, anon=LOGIN, a=302, b=302),
        method="POST", note="staff keep theirs"),
    Row("accounts/password_change/done/", "/accounts/password_change/done/", SIGNED_IN),
    Row("accounts/password_reset/", "/accounts/password_reset/", PUBLIC, form=True),
    Row("accounts/password_reset/done/", "/accounts/password_reset/done/", PUBLIC),
    Row("accounts/reset/<uidb64>/<token>/", "/accounts/reset/MQ/bad-token/", PUBLIC, note="an invalid link"),
    Row("accounts/reset/done/", "/accounts/reset/done/", PUBLIC),
    Row("accounts/password_reset/sms/", "/accounts/password_reset/sms/", PUBLIC, form=True),
    Row("accounts/password_reset/sms/code/", "/accounts/password_reset/sms/code/", expect(302),
        note="back to the first step without a user name in the session"),
    Row("accounts/password_reset/sms/new/", "/accounts/password_reset/sms/new/", expect(302),
        note="back to the first step until a code was proven"),
    Row("accounts/platform/", "/accounts/platform/", expect(404),
        note="the identity platform is not configured here: tests/integration/test_platform_login.py signs in"),
    Row("accounts/platform/callback/", "/accounts/platform/callback/?code=x&state=y", expect(404)),
    # Identity binding (实名认证): each their own; the counter is the clerks'.
    Row("identity/", "/identity/", SIGNED_IN),
    Row("identity/code/", "/identity/code/", expect(302, anon=LOGIN), method="POST",
        note="back to the identity page, with the reason when no code can be sent"),
    Row("identity/verify/", "/identity/verify/", expect(400, anon=LOGIN), method="POST", data={"code": "000000"}),
    Row("identity/bindings/<int:binding_id>/revoke/", "/identity/bindings/{w.agent_binding_of_a.pk}/revoke/",
        expect(404, anon=LOGIN, a=302), method="POST",
        note="an agent's binding: ended by the enterprise's verified legal representative (or the agent)"),
    Row("identity/counter/", "/identity/counter/", expect(403, anon=LOGIN, clerk=200), form=True),
    # Notifications: everyone their own.
    Row("notifications/", "/notifications/", SIGNED_IN),
    Row("notifications/<int:notification_id>/read/", "/notifications/{w.notification_of_a.pk}/read/",
        expect(302, anon=LOGIN), method="POST",
        note="someone else's notification is left as it is (tested in tests/notifications)"),
    Row("notifications/read-all/", "/notifications/read-all/", expect(302, anon=LOGIN), method="POST"),
    Row("notifications/preferences/", "/notifications/preferences/", SIGNED_IN, form=True),
    # Cases and credit records.
    Row("cases/<str:number>/", "/cases/{w.repair_case.number}/", SEES_A_REPAIR_CASE),
    Row("cases/<str:number>/receipt/", "/cases/{w.repair_case.number}/receipt/", SEES_A_REPAIR_CASE),
    Row("cases/<str:number>/receipt/", "/cases/{w.draft_case.number}/receipt/", expect(404, anon=LOGIN),
        note="a draft has not been filed: no receipt, not even for its applicant"),
    Row("records/", "/records/", STAFF_AND_SUPERVISORS),
    Row("records/new/", "/records/new/", DEPARTMENT_STAFF, form=True),
    Row("records/import/", "/records/import/", DEPARTMENT_STAFF, form=True),
    Row("records/import/template.csv", "/records/import/template.csv", DEPARTMENT_STAFF),
    Row("records/<int:record_id>/not-repairable/", "/records/{w.free_record.pk}/not-repairable/",
        expect(403, anon=LOGIN, x=200, y=404, head=200), form=True,
        note="the deciding department only; another department's staff are not told the record is there"),
    Row("my/records/", "/my/records/", SIGNED_IN),
    Row("notices/<int:notice_id>/pdf/", "/notices/{w.record_notice.pk}/pdf/",
        expect(404, anon=LOGIN, a=200, x=200, head=200, sup=200), note="the notice sent with A's record"),
    # Credit repair.
    Row("my/applications/", "/my/applications/", SIGNED_IN),
    Row("repair/start/<int:record_id>/", "/repair/start/{w.free_record.pk}/",
        expect(403, anon=LOGIN, a=302, b=404), method="POST"),
    Row("repair/queue/", "/repair/queue/", DEPARTMENT_STAFF),
    Row("cases/<int:case_id>/claim/", "/cases/{w.repair_case.pk}/claim/",
        expect(403, anon=LOGIN, x=302, y=404, head=302), method="POST"),
    Row("cases/<int:case_id>/release/", "/cases/{w.repair_case.pk}/release/",
        expect(403, anon=LOGIN, x=302, y=404, head=302), method="POST", prepare="claim_repair_case_as_x",
        note="held by X's caseworker: the holder or the head gives it back"),
    Row("repair/materials/<int:material_id>/", "/repair/materials/{w.material.pk}/", SEES_A_REPAIR_CASE),
    Row("repair/<str:number>/", "/repair/{w.repair_case.number}/", SEES_A_REPAIR_CASE),
    Row("repair/<str:number>/upload/", "/repair/{w.draft_case.number}/upload/",
        expect(404, anon=LOGIN, a=302, x=404, head=404, sup=404), method="POST",
        data={"code": "commitment", "file": lambda w: pdf_upload()},
        note="only the applicant adds materials to a draft"),
    Row("repair/<str:number>/<slug:action>/", "/repair/{w.repair_case.number}/accept/",
        expect(404, anon=LOGIN, a=403, x=302, head=302, sup=403), method="POST"),
    # Credit information objections (信用信息异议): A's, to a record of department X.
    Row("my/records/<int:record_id>/objection/", "/my/records/{w.free_record.pk}/objection/",
        expect(404, anon=LOGIN, a=200), form=True, note="only for a record about the entity one acts for"),
    Row("my/records/<int:record_id>/objection/", "/my/records/{w.free_record.pk}/objection/",
        expect(404, anon=LOGIN, a=302), method="POST", data={"reasons": "金额有误"}),
    Row("objections/queue/", "/objections/queue/", STAFF_AND_SUPERVISORS),
    Row("objections/evidence/<int:evidence_id>/", "/objections/evidence/{w.evidence.pk}/", SEES_A_REPAIR_CASE),
    Row("objections/<str:number>/", "/objections/{w.objection_case.number}/", SEES_A_REPAIR_CASE),
    Row("objections/<str:number>/<slug:action>/", "/objections/{w.objection_case.number}/start/",
        expect(404, anon=LOGIN, a=403, x=302, head=302, sup=403), method="POST"),
    Row("repair/<str:number>/<slug:action>/", "/repair/{w.repair_case.number}/withdraw/",
        expect(404, anon=LOGIN, a=302, x=404, head=404, sup=404), method="POST"),
    # Complaints.
    Row("my/complaints/", "/my/complaints/", SIGNED_IN),
    Row("complaints/new/", "/complaints/new/", expect(403, anon=LOGIN, a=200, b=200), form=True),
    Row("complaints/register/", "/complaints/register/", expect(403, anon=LOGIN, clerk=200), form=True),
    Row("complaints/", "/complaints/", expect(403, anon=LOGIN, x=200, y=200, head=200, clerk=200, sup=200)),
    Row("integrity/", "/integrity/", expect(403, anon=LOGIN, clerk=200, sup=200)),
    Row("integrity/<int:entry_id>/repaired/", "/integrity/999999/repaired/", expect(403, anon=LOGIN, sup=404),
        method="POST", data={"note": "已履约"}, note="supervisors only; an entry that does not exist is 404"),
    Row("complaints/evidence/<int:evidence_id>/", "/complaints/evidence/{w.complaint_evidence.pk}/",
        expect(404, anon=LOGIN, a=200, x=200, head=200, clerk=200, sup=200),
        note="the complainant and the staff who see the complaint; anyone else is not told it exists"),
    Row("complaints/<str:number>/evidence/", "/complaints/{w.complaint_case.number}/evidence/",
        expect(404, anon=LOGIN, a=302), method="POST", data={"evidence": lambda w: pdf_upload()},
        note="only the complainant adds evidence"),
    Row("complaints/<str:number>/", "/complaints/{w.complaint_case.number}/",
        expect(404, anon=LOGIN, a=200, x=200, head=200, clerk=200, sup=200)),
    Row("complaints/<str:number>/<slug:action>/", "/complaints/{w.complaint_case.number}/start/",
        expect(404, anon=LOGIN, a=403, x=302, head=302, clerk=403, sup=403), method="POST",
        note="the assigned department starts the work"),
    Row("complaints/selected/", "/complaints/selected/", expect(403, anon=LOGIN, x=302, y=302, head=302),
        method="POST", data={"action": "claim", "case": "{w.complaint_case.pk}"},
        note="department staff claim the selected complaints; another department's are refused by message"),
    Row("complaints/selected/", "/complaints/selected/", expect(403, anon=LOGIN, clerk=302), method="POST",
        data={"action": "assign", "case": "{w.complaint_case.pk}", "department": "{w.complaint_case.department_id}"},
        note="the clerks assign the selected complaints"),
    Row("complaints/selected/", "/complaints/selected/", expect(403, anon=LOGIN, head=302), method="POST",
        data={"action": "hand", "case": "{w.complaint_case.pk}", "assignee": "{w.users[x].pk}"},
        note="the department head hands the selected complaints to one of the department's people"),
    # Staff shortcuts: saved filters (a person's own) and the department's reply phrases.
    Row("filters/", "/filters/", expect(403, anon=LOGIN, x=302, y=302, head=302, clerk=302, sup=302), method="POST",
        data={"list": "repair-queue", "name": "mine", "query": "holder=mine"}, note="staff with a department"),
    Row("filters/<int:filter_id>/default/", "/filters/{w.saved_filter.pk}/default/",
        expect(404, anon=LOGIN, a=403, b=403, x=302, admin=403, sec=403, audit=403), method="POST",
        prepare="save_a_filter_as_x", note="only its owner; another person's is not shown to exist"),
    Row("filters/<int:filter_id>/delete/", "/filters/{w.saved_filter.pk}/delete/",
        expect(404, anon=LOGIN, a=403, b=403, x=302, admin=403, sec=403, audit=403), method="POST",
        prepare="save_a_filter_as_x", note="only its owner; another person's is not shown to exist"),
    Row("phrases/", "/phrases/", expect(403, anon=LOGIN, head=200), form=True),
    Row("phrases/<int:phrase_id>/", "/phrases/{w.phrase.pk}/", expect(403, anon=LOGIN, head=302), method="POST",
        data={"title": "核实", "text": "经核实。"}, prepare="add_a_phrase_as_head", note="the department's head"),
    Row("phrases/<int:phrase_id>/delete/", "/phrases/{w.phrase.pk}/delete/", expect(403, anon=LOGIN, head=302),
        method="POST", prepare="add_a_phrase_as_head", note="the department's head"),
    # Supervision.
    Row("supervision/", "/supervision/", STAFF_AND_SUPERVISORS),
    Row("supervision/cases/<int:case_id>/order/", "/supervision/cases/{w.complaint_case.pk}/order/",
        expect(403, anon=LOGIN, sup=200), form=True, note="the order form: the text and the days, before sending"),
    Row("supervision/cases/<int:case_id>/order/", "/supervision/cases/{w.complaint_case.pk}/order/",
        expect(403, anon=LOGIN, sup=302), method="POST",
        data={"reason": "请尽快办理", "respond_within": "3", "action": "send"},
        note="the repair case has an open order: only an escalation could follow it"),
    Row("supervision/orders/", "/supervision/orders/", STAFF_AND_SUPERVISORS),
    Row("supervision/orders/<int:order_id>/", "/supervision/orders/{w.order.pk}/",
        expect(404, anon=LOGIN, x=200, head=200, sup=200), form=True),
    # Figures and the half-year report.
    Row("figures/", "/figures/?period=2026-H2", expect(403, anon=LOGIN, head=200, sup=200),
        note="a department head sees their own department's figures"),
    Row("figures/report.<str:fmt>", "/figures/report.xlsx?period=2026-H2", expect(403, anon=LOGIN, sup=200)),
    # Tasks (the process layer): a department's task is taken with its case.
    Row("tasks/", "/tasks/", SIGNED_IN),
    Row("tasks/<int:task_id>/", "/tasks/{w.repair_task.pk}/", expect(404, anon=LOGIN, a=302, x=302, head=302, sup=302),
        note="to the case's page, for whoever sees the case"),
    Row("tasks/<int:task_id>/claim/", "/tasks/{w.repair_task.pk}/claim/", expect(403, anon=LOGIN, x=302, head=302),
        method="POST"),
    Row("tasks/<int:task_id>/release/", "/tasks/{w.repair_task.pk}/release/", expect(403, anon=LOGIN, x=302),
        method="POST", prepare="claim_repair_case_as_x", note="only its holder gives a task back"),
    # The API (session authentication; the channels sign their requests instead).
    Row("api/v1/me/", "/api/v1/me/", expect(200, anon=403)),
    Row("api/v1/departments/", "/api/v1/departments/", expect(200, anon=403)),
    Row("api/v1/working-days/", "/api/v1/working-days/?start=2026-09-28&days=5", expect(200, anon=403)),
    Row("api/v1/records/", "/api/v1/records/", expect(200, anon=403), note="each sees the records in scope"),
    Row("api/v1/records/", "/api/v1/records/", expect(403, x=201, y=201, head=201), method="POST",
        data={"party_kind": "enterprise", "party_name": "乙公司", "party_id_number": "{w.users[b].id_number}",
              "record_type": "penalty", "decision_number": "甘罚〔2026〕9号", "decided_on": "2026-03-02",
              "severity": "general", "summary": "罚款"}, json=True),
    Row("api/v1/complaints/", "/api/v1/complaints/", expect(401), method="POST",
        note="the channel's HMAC signature is the only way in, a session is no key"),
    Row("api/v1/complaints/<str:reference>/", "/api/v1/complaints/WEB-1/", expect(401)),
    Row("api/v1/complaints/<str:reference>/feedback/", "/api/v1/complaints/WEB-1/feedback/", expect(401),
        method="POST", data={"satisfied": True}, json=True, note="signed by the channel that sent the work order"),
    Row("api/v1/complaints/<str:reference>/withdrawal/", "/api/v1/complaints/WEB-1/withdrawal/", expect(401),
        method="POST", data={"reason": "撤回"}, json=True, note="signed by the channel that sent the work order"),
    Row("api/v1/repair-applications/", "/api/v1/repair-applications/", expect(401), method="POST",
        note="the national single window's HMAC signature is the only way in"),
    Row("api/v1/repair-applications/<str:platform_number>/", "/api/v1/repair-applications/XYZG-1/", expect(401)),
    Row("api/schema/", "/api/schema/", PUBLIC),
    Row("api/docs/", "/api/docs/", PUBLIC),
    # For the monitoring system's token or address only (tests/operations/test_metrics.py): with
    # neither configured, as here, nobody is answered, whatever their role.
    Row("metrics", "/metrics", expect(404)),
    # A sample of the admin site: its index and the audit trail, which only the audit administrator
    # reads and nobody can change (三员分立: not the system or the security administrator).
    Row("admin/", "/admin/", ADMIN_ONLY),
    Row("admin/cases/auditevent/", "/admin/cases/auditevent/", expect(LOGIN, admin=403, sec=403, audit=200)),
    Row("admin/cases/auditevent/<path:object_id>/change/", "/admin/cases/auditevent/{w.audit_event.pk}/change/",
        expect(LOGIN, admin=403, sec=403, audit=200), note="read-only view"),
    Row("admin/cases/auditevent/<path:object_id>/change/", "/admin/cases/auditevent/{w.audit_event.pk}/change/",
        expect(LOGIN, admin=403, sec=403, audit=403), method="POST", data={"event_type": "forged"}),
    Row("admin/cases/auditevent/<path:object_id>/delete/", "/admin/cases/auditevent/{w.audit_event.pk}/delete/",
        expect(LOGIN, admin=403, sec=403, audit=403)),
    Row("admin/cases/auditevent/<path:object_id>/delete/", "/admin/cases/auditevent/{w.audit_event.pk}/delete/",
        expect(LOGIN, admin=403, sec=403, audit=403), method="POST", data={"post": "yes"}),
    Row("admin/cases/auditevent/add/", "/admin/cases/auditevent/add/", expect(LOGIN, admin=403, sec=403, audit=403)),
]  # fmt: skip
