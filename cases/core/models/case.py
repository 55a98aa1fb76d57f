"""The spine shared by both kinds of case: number, parties, responsible department, state,
and the deadlines and supervision orders that watch it."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .deadline import Stage


class CaseKind(models.TextChoices):
    REPAIR = "repair", _("Credit repair")
    COMPLAINT = "complaint", _("Government-default complaint")
    OBJECTION = "objection", _("Credit information objection")


# Each kind's own page, where the case is read and worked (named urls of the sub-apps' pages).
CASE_PAGE = {CaseKind.REPAIR: "repair-application", CaseKind.COMPLAINT: "complaint", CaseKind.OBJECTION: "objection"}

CASE_NUMBER_PREFIX = {CaseKind.REPAIR: "XF", CaseKind.COMPLAINT: "TS", CaseKind.OBJECTION: "YY"}


def new_verification_code() -> str:
    # Unambiguous characters only: the code is read aloud on the phone and typed from paper.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    title = models.CharField(_("subject"), max_length=200)
    state = models.CharField(_("state"), max_length=30)  # indexed with the urgency order below
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_filed",
    )
    department = models.ForeignKey(
        "cases.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_assigned",
    )
    verification_code = models.CharField(_("verification code"), max_length=8, default=new_verification_code)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_default=Now())
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # When the retention task replaced the personal data of the closed case (cases/core/retention.py).
    anonymised_at = models.DateTimeField(_("personal data anonymised at"), null=True, blank=True, editable=False)
    # What the supervisor board and the queues sort and filter by, kept by the deadline services
    # (services.refresh_case_deadlines) and the sweep: the earliest due time among the case's
    # running deadlines (empty when no clock runs) and the furthest stage among its open ones.
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True)
    supervision_stage = models.PositiveSmallIntegerField(
        _("supervision stage"), choices=Stage.choices, default=Stage.WATCHED, db_default=Stage.WATCHED
    )
    # A complaint's subject and channel, copied from its complaint (services.copy_complaint_facts)
    # so that the board filters on the case row alone, whatever else it filters by.
    complaint_subject = models.CharField(_("complaint subject"), max_length=40, blank=True, default="", db_default="")
    complaint_channel = models.ForeignKey(
        "cases.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # filtered on within the urgency-ordered scans, never looked up alone
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        # Every list of cases is "most urgent first" (next_due_at, then id) under one or two
        # equality filters; each index below serves one of them with an ordered scan that stops
        # after a page, at a million cases. Open cases only, except the queue's state filter.
        # Word search has trigram indexes on PostgreSQL (migration 0022: not expressible here).
        indexes = [
            models.Index(fields=["department", "state", "next_due_at", "id"], name="case_department_state_due"),
            models.Index(fields=["state", "next_due_at", "id"], name="case_state_due"),
            models.Index(fields=["next_due_at", "id"], condition=Q(closed_at__isnull=True), name="case_open_due"),
            models.Index(
                fields=["department", "next_due_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="case_open_department_due",
            ),
            models.Index(
                fields=["kind", "next_due_at", "id"], condition=Q(closed_at__isnull=True), name="case_open_kind_due"
            ),
            models.Index(
                fields=["supervision_stage", "next_due_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="case_open_stage_due",
            ),
            models.Index(
                fields=["assignee", "next_due_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="case_open_assignee_due",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        """The case's own page (the application, the complaint, the objection): where every link
        to the case leads, notifications and toasts included."""
        return reverse(CASE_PAGE.get(self.kind, "case-detail"), args=[self.number])

    @property
    def state_label(self) -> str:
        from cases.core.states import state_label

        return state_label(self.kind, self.state)


class CaseCounter(models.Model):
    """The last number given per kind and year; locked while a number is drawn."""

    kind = models.CharField(max_length=20, choices=CaseKind.choices)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="case_counter_unique")]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last}"
