"""What every write service does before it changes anything: lock the row it changes, then check
who is acting. One statement of each step, used by every sub-domain's services; each refusal is a
typed error (cases.core.exceptions) that the pages and the API answer with their status.

Refusals keep one rule: a row the actor may not know about is not shown to exist (NotFound, 404);
a row they see but may not act on is refused (NotPermitted, 403)."""

from django.db.models import Model, QuerySet

from cases.core import identity, permissions
from cases.core.exceptions import NotFound, NotPermitted
from cases.core.models import Case

WORK_DEPARTMENT_CASES = "cases.work_department_cases"


def locked(model_or_queryset: type[Model] | QuerySet, pk, *, related: tuple[str, ...] = (), of=()) -> Model:
    """The row `pk`, locked FOR UPDATE until the transaction ends; NotFound when there is none.

    `related`: the foreign keys the caller reads, joined and locked with the row. Never a nullable
    one: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join. `of`: lock only
    these tables of the join (("self",): the row alone)."""
    queryset = (
        model_or_queryset if isinstance(model_or_queryset, QuerySet) else model_or_queryset._default_manager.all()
    )
    row = queryset.select_for_update(of=of).select_related(*related).filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


def locked_by_case(model: type[Model], pk, *, related: tuple[str, ...] = ()) -> Model:
    """A row that belongs to one case (an application, a complaint), read after its case is locked,
    so that two requests at once (a double click, two caseworkers) see each other's changes and the
    state machine moves the locked case. `related` is joined without a lock (nullable keys too)."""
    case_id = model._default_manager.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound()
    case = Case.objects.select_for_update().get(pk=case_id)
    row = model._default_manager.select_related(*related).get(pk=pk)
    row.case = case
    return row


def locked_department_case(case_id: int, actor, permission: str = WORK_DEPARTMENT_CASES) -> Case:
    """A case of the actor's own department, locked; another department's is not shown to exist.
    The permission is checked before the lock, so that a refused request waits on no one."""
    permissions.require(actor, permission)
    # No select_related("assignee"): PostgreSQL refuses to lock the nullable side of an outer join,
    # and with FOR UPDATE OF the case alone a waiting request would still read the holder from
    # before the lock (None). The holder is read after the lock instead.
    case = locked(Case, case_id)
    require_department(case, actor, permission=None, refusal=NotFound)
    return case


def require_department(
    owner, actor, permission: str | None = WORK_DEPARTMENT_CASES, *, refusal: type[Exception] = NotPermitted
) -> None:
    """The actor holds `permission` (NotPermitted) and works in the department that `owner` (a
    case, a credit record, a supervision order: anything with a department_id) answers to
    (`refusal`). `permission=None`: already checked by the caller."""
    if permission is not None:
        permissions.require(actor, permission)
    if actor.department_id != owner.department_id:
        raise refusal()


def require_department_member(actor, permission: str = WORK_DEPARTMENT_CASES) -> None:
    """The actor holds `permission` and works in a department (a row they create will be its)."""
    permissions.require(actor, permission)
    if actor.department_id is None:
        raise NotPermitted()


def require_filer(actor, *, filer_id, entity_kind: str, id_number: str) -> None:
    """The actor filed the case and still acts for the entity it concerns. Anyone else, and an agent
    whose binding has ended, is not shown the case exists (NotFound)."""
    if actor is None or not actor.is_authenticated or actor.pk != filer_id:
        raise NotFound()
    if not identity.acts_for(actor, entity_kind, id_number):
        raise NotFound()
