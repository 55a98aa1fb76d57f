"""Deadlines of open case steps, and the supervision orders (督办单) they give rise to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.core.event_types import INSTALMENT_STEP, DeadlineStep
from notifications.phrases import Phrase


class Stage(models.IntegerChoices):
    """How far supervision of a deadline has gone. Each stage fires once."""

    WATCHED = 0, _("Watched")
    REMINDED = 1, _("Reminded")  # 催办
    SUPERVISED = 2, _("Supervision order issued")  # 督办单
    ESCALATED = 3, _("Escalated to the district")  # 挂牌督办


_ENUM_STEPS = frozenset(DeadlineStep.values)


def step_words(step: str, label: str):
    """A deadline's step as words said in the reader's language (its enum label, "Instalment n"),
    else its stored label as it was set."""
    if step in _ENUM_STEPS:
        return DeadlineStep(step).label
    if step.startswith(INSTALMENT_STEP) and step[len(INSTALMENT_STEP) :].isdigit():
        return Phrase("Instalment %(number)d", number=int(step[len(INSTALMENT_STEP) :]))
    return label


class Deadline(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("case"))
    step = models.SlugField(_("step"), max_length=60)
    label = models.CharField(_("step"), max_length=100)
    department = models.ForeignKey(
        "cases.Department", on_delete=models.PROTECT, related_name="deadlines", verbose_name=_("department")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
        verbose_name=_("assignee"),
    )
    working_days = models.PositiveIntegerField(_("working days allowed"))
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("due on"))
    due_at = models.DateTimeField(_("overdue from"))
    stage = models.PositiveSmallIntegerField(
        _("supervision stage"), choices=Stage.choices, default=Stage.WATCHED, db_default=Stage.WATCHED
    )
    next_action_at = models.DateTimeField(_("next supervision step at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    remaining_working_days = models.PositiveIntegerField(_("working days left when paused"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The office's own deadlines are supervised; a party's time (the complainant's confirmation
    # window) is watched only to end it by the policy: no reminder, order or escalation, and the
    # board and the figures do not count it against a department.
    supervised = models.BooleanField(_("supervised"), default=True, db_default=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            # The sweep's one query: open, running deadlines whose next stage has come.
            models.Index(fields=["next_action_at"], condition=Q(next_action_at__isnull=False), name="deadline_sweep"),
            models.Index(
                fields=["department", "due_at"], condition=Q(closed_at__isnull=True), name="deadline_open_by_department"
            ),
            models.Index(fields=["due_at"], condition=Q(closed_at__isnull=True), name="deadline_open_by_due"),
        ]

    def __str__(self):
        return f"{self.case.number} {self.label} {self.due_on:%Y-%m-%d}"

    @property
    def step_name(self) -> str:
        """The step as it reads in the page's language: the stored label is in the language it was
        set in (a step of DeadlineStep reads by its enum label, an instalment as "Instalment n")."""
        return str(step_words(self.step, self.label))

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class SupervisionLevel(models.TextChoices):
    ORDER = "order", _("Supervision order")
    ESCALATION = "escalation", _("District-level supervision")
