"""The two processes as viewflow flows (docs/domain.md, "Credit repair" and "Complaints").

Human tasks are `flow.View` nodes: who may take them (`Permission`) or whose they are
(`Assign`), and what follows. The work of each task is done on the case's own pages, by a
service of `cases` (DESIGN: task views call the services); `workflows.engine` completes the
task when that service records its step. The gateways after each task route by the state the
service left the case in (`workflows.gates`).

The timed waits that change no path (display ending, confirmation by default) are periodic
tasks in the sub-apps' `tasks` modules, not `Timer` nodes: they act on many cases in one indexed query.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from cases.core.states import ComplaintStatus as C
from cases.core.states import RepairStatus as R
from workflows import gates
from workflows import task_views as views
from workflows.models import CaseProcess

DEPARTMENT_WORK = "cases.work_department_cases"
DEPARTMENT_DECISION = "cases.approve_department_decisions"
INTAKE = "cases.register_complaints"
SUPERVISION = "cases.supervise_all_cases"


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
    route = (
        flow.Switch()
        .Case(this.fill_in, gates.repair_state_in(R.DRAFT))
        .Case(this.acceptance, gates.repair_state_in(R.SUBMITTED, R.RESUBMITTED))
        .Case(this.correction, gates.repair_state_in(R.INCOMPLETE))
        .Case(this.approval, gates.decision_proposed)
        .Case(this.review, gates.repair_state_in(R.ACCEPTED, R.UNDER_REVIEW))
        .Case(this.sync, gates.repair_state_in(R.APPROVED, R.RECORD_REPAIRED))
        .Default(this.end)
    )

    fill_in = (
        flow.View(views.task_page)
        .Annotation(title=_("Complete and submit the application"))
        .Assign(gates.applicant_of)
        .Next(this.after_fill_in)
    )
    after_fill_in = flow.Switch().Case(this.acceptance, gates.repair_state_in(R.SUBMITTED)).Default(this.end)

    acceptance = (
        flow.View(views.task_page)
        .Annotation(title=_("Accept, refuse or issue the one-time notice"))
        .Permission(DEPARTMENT_WORK)
        .Next(this.after_acceptance)
    )
    after_acceptance = (
        flow.Switch()
        .Case(this.correction, gates.repair_state_in(R.INCOMPLETE))
        .Case(this.review, gates.repair_state_in(R.ACCEPTED))
        .Default(this.end)
    )

    correction = (
        flow.View(views.task_page)
        .Annotation(title=_("Supply the missing materials"))
        .Assign(gates.applicant_of)
        .Next(this.after_correction)
    )
    after_correction = flow.Switch().Case(this.acceptance, gates.repair_state_in(R.RESUBMITTED)).Default(this.end)

    review = (
        flow.View(views.task_page)
        .Annotation(title=_("Review and propose a decision"))
        .Permission(DEPARTMENT_WORK)
        .Next(this.after_review)
    )
    after_review = flow.Switch().Case(this.approval, gates.decision_proposed).Default(this.end)

    approval = (
        flow.View(views.task_page)
        .Annotation(title=_("The department head approves the decision"))
        .Permission(DEPARTMENT_DECISION)
        .Next(this.after_approval)
    )
    after_approval = (
        flow.Switch().Case(this.sync, gates.repair_state_in(R.APPROVED, R.RECORD_REPAIRED)).Default(this.end)
    )

    sync = flow.Handle().Annotation(title=_("Sync to the national credit site")).Next(this.end)

    end = flow.End()


class ComplaintFlow(CaseFlow):
    """Government-default complaint: registration, routing, the department's answer (with
    extension and misrouting), the complainant's confirmation, reopening, supervisor review."""

    process_title = _("Government-default complaint")

    start = flow.StartHandle(this.bind_case).Next(this.route)
    route = (
        flow.Switch()
        .Case(this.registration, gates.complaint_state_in(C.RECEIVED))
        .Case(this.routing, gates.complaint_state_in(C.REGISTERED, C.RETURNED))
        .Case(this.handling, gates.complaint_state_in(C.ASSIGNED, C.IN_PROGRESS))
        .Case(this.extension_decision, gates.complaint_state_in(C.EXTENSION_REQUESTED))
        .Case(this.confirmation, gates.complaint_state_in(C.ANSWERED))
        .Case(this.review, gates.needs_supervisor_review)
        .Case(this.handling, gates.complaint_state_in(C.REOPENED))
        .Default(this.end)
    )

    registration = (
        flow.View(views.task_page)
        .Annotation(title=_("Register or reject the complaint"))
        .Permission(INTAKE)
        .Next(this.after_registration)
    )
    after_registration = flow.Switch().Case(this.routing, gates.complaint_state_in(C.REGISTERED)).Default(this.end)

    routing = (
        flow.View(views.task_page)
        .Annotation(title=_("Assign to the responsible department"))
        .Permission(INTAKE)
        .Next(this.after_routing)
    )
    after_routing = flow.Switch().Case(this.handling, gates.complaint_state_in(C.ASSIGNED)).Default(this.end)

    handling = (
        flow.View(views.task_page)
        .Annotation(title=_("Investigate and answer"))
        .Permission(DEPARTMENT_WORK)
        .Next(this.after_handling)
    )
    after_handling = (
        flow.Switch()
        .Case(this.confirmation, gates.complaint_state_in(C.ANSWERED))
        .Case(this.extension_decision, gates.complaint_state_in(C.EXTENSION_REQUESTED))
        .Case(this.routing, gates.complaint_state_in(C.RETURNED, C.REGISTERED))
        .Default(this.end)
    )

    extension_decision = (
        flow.View(views.task_page)
        .Annotation(title=_("Decide on the extension (supervisor)"))
        .Permission(SUPERVISION)
        .Next(this.handling)
    )

    confirmation = (
        flow.View(views.task_page)
        .Annotation(title=_("Confirm the answer or object (complainant)"))
        .Assign(gates.complainant_of)
        .Next(this.after_confirmation)
    )
    after_confirmation = (
        flow.Switch()
        .Case(this.review, gates.needs_supervisor_review)
        .Case(this.handling, gates.complaint_state_in(C.REOPENED, C.IN_PROGRESS))
        .Default(this.end)
    )

    review = (
        flow.View(views.task_page)
        .Annotation(title=_("Review the reopened complaint (supervisor)"))
        .Permission(SUPERVISION)
        .Next(this.end)
    )

    end = flow.End()


FLOWS = {"repair": RepairFlow, "complaint": ComplaintFlow}
