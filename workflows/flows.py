"""The two processes as viewflow flows (docs/domain.md, "Credit repair" and "Complaints").

Human tasks are `flow.View` nodes: who may take them (`Permission`) or whose they are
(`Assign`), and what follows. The work of each task is done on the case's own pages, by a
service of `cases` (DESIGN: task views call the services); `workflows.engine` completes the
task when that service records its step. The gateways after each task route by the state the
service left the case in: they are not written here but derived (`route`, `after`) from what
cases.core.states declares, where the case waits on which task (`Wait`) and which task each
transition completes, so the state machine, the flow and the engine cannot disagree.

The timed waits that change no path (display ending, confirmation by default) are periodic
tasks in the sub-apps' `tasks` modules, not `Timer` nodes: they act on many cases in one indexed query.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from cases.core import states
from workflows import gates
from workflows import task_views as views
from workflows.models import CaseProcess

DEPARTMENT_WORK = "cases.work_department_cases"
DEPARTMENT_DECISION = "cases.approve_department_decisions"
INTAKE = "cases.register_complaints"
SUPERVISION = "cases.supervise_all_cases"


def route_by_state(kind: str, tasks: set[str] | None = None) -> flow.Switch:
    """A gateway to the task the case waits on (the first of its kind's waits that holds, among
    `tasks` if given), else the end."""
    switch = flow.Switch()
    for wait in states.WAITS[kind]:
        if tasks is None or wait.task in tasks:
            switch.Case(getattr(this, wait.task), gates.waiting(wait))
    return switch.Default(this.end)


def gateway_after(kind: str, task: str) -> flow.Switch:
    """The gateway after `task`: to the tasks its steps can leave the case waiting on."""
    return route_by_state(kind, states.next_tasks(kind, task))


class CaseFlow(flow.Flow):
    """A flow whose process belongs to one case."""

    process_class = CaseProcess

    def bind_case(self, activation, case):
        activation.process.case = case
        return activation.process


class RepairFlow(CaseFlow):
    """Credit repair: application, acceptance or ONE one-time notice, review, the head's
    approval, the record repaired, the result synced to the national site."""

    process_title = _("Credit repair")

    start = flow.StartHandle(this.bind_case).Next(this.route)
    route = route_by_state("repair")

    fill_in = (
        flow.View(views.task_page)
        .Annotation(title=_("Complete and submit the application"))
        .Assign(gates.applicant_of)
        .Next(this.after_fill_in)
    )
    after_fill_in = gateway_after("repair", "fill_in")

    acceptance = (
        flow.View(views.task_page)
        .Annotation(title=_("Accept, refuse or issue the one-time notice"))
        .Permission(DEPARTMENT_WORK)
        .Next(this.after_acceptance)
    )
    after_acceptance = gateway_after("repair", "acceptance")

    correction = (
        flow.View(views.task_page)
        .Annotation(title=_("Supply the missing materials"))
        .Assign(gates.applicant_of)
        .Next(this.after_correction)
    )
    after_correction = gateway_after("repair", "correction")

    review = (
        flow.View(views.task_page)
        .Annotation(title=_("Review and propose a decision"))
        .Permission(DEPARTMENT_WORK)
        .Next(this.after_review)
    )
    after_review = gateway_after("repair", "review")

    approval = (
        flow.View(views.task_page)
        .Annotation(title=_("The department head approves the decision"))
        .Permission(DEPARTMENT_DECISION)
        .Next(this.after_approval)
    )
    after_approval = gateway_after("repair", "approval")

    sync = flow.Handle().Annotation(title=_("Sync to the national credit site")).Next(this.after_sync)
    after_sync = gateway_after("repair", "sync")

    end = flow.End()


class ComplaintFlow(CaseFlow):
    """Government-default complaint: registration, routing, the department's answer (with
    extension and return), rectification of a substantiated default and its verification, the
    complainant's confirmation, reopening, supervisor review."""

    process_title = _("Government-default complaint")

    start = flow.StartHandle(this.bind_case).Next(this.route)
    route = route_by_state("complaint")

    registration = (
        flow.View(views.task_page)
        .Annotation(title=_("Register or reject the complaint"))
        .Permission(INTAKE)
        .Next(this.after_registration)
    )
    after_registration = gateway_after("complaint", "registration")

    routing = (
        flow.View(views.task_page)
        .Annotation(title=_("Assign to the responsible department"))
        .Permission(INTAKE)
        .Next(this.after_routing)
    )
    after_routing = gateway_after("complaint", "routing")

    handling = (
        flow.View(views.task_page)
        .Annotation(title=_("Investigate and answer"))
        .Permission(DEPARTMENT_WORK)
        .Next(this.after_handling)
    )
    after_handling = gateway_after("complaint", "handling")

    extension_decision = (
        flow.View(views.task_page)
        .Annotation(title=_("Decide on the extension (supervisor)"))
        .Permission(SUPERVISION)
        .Next(this.after_extension_decision)
    )
    after_extension_decision = gateway_after("complaint", "extension_decision")

    confirmation = (
        flow.View(views.task_page)
        .Annotation(title=_("Confirm the answer or object (complainant)"))
        .Assign(gates.complainant_of)
        .Next(this.after_confirmation)
    )
    after_confirmation = gateway_after("complaint", "confirmation")

    review = (
        flow.View(views.task_page)
        .Annotation(title=_("Review the reopened complaint (supervisor)"))
        .Permission(SUPERVISION)
        .Next(this.after_review)
    )
    after_review = gateway_after("complaint", "review")

    return_decision = (
        flow.View(views.task_page)
        .Annotation(title=_("Decide on the department's return (clerk)"))
        .Permission(INTAKE)
        .Next(this.after_return_decision)
    )
    after_return_decision = gateway_after("complaint", "return_decision")

    rectification = (
        flow.View(views.task_page)
        .Annotation(title=_("See the default rectified, or report a refusal"))
        .Permission(DEPARTMENT_WORK)
        .Next(this.after_rectification)
    )
    after_rectification = gateway_after("complaint", "rectification")

    verification = (
        flow.View(views.task_page)
        .Annotation(title=_("Verify the rectification or confirm the breach (clerk)"))
        .Permission(INTAKE)
        .Next(this.after_verification)
    )
    after_verification = gateway_after("complaint", "verification")

    end = flow.End()


FLOWS = {"repair": RepairFlow, "complaint": ComplaintFlow}
