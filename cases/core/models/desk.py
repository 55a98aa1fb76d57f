"""What staff keep to work faster: filters saved on a list (per person, per list) and the reply
phrases (常用语) a department keeps for its reply and reason boxes."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """A list's query string kept under a name by one person; at most one per list is their
    default, applied when they open the list with no query."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters", verbose_name=_("user")
    )
    list_key = models.CharField(_("list"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("query"), max_length=500, blank=True, default="", db_default="")
    is_default = models.BooleanField(_("default"), default=False, db_default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_default=Now())

    class Meta:
        app_label = "cases"
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "list_key", "name"], name="saved_filter_unique_name"),
            models.UniqueConstraint(
                fields=["user", "list_key"], condition=models.Q(is_default=True), name="saved_filter_one_default"
            ),
        ]

    def __str__(self):
        return self.name


class ReplyPhrase(models.Model):
    """A department's reusable phrase (常用语), offered in the reply and reason boxes of its staff."""

    department = models.ForeignKey(
        "cases.Department", on_delete=models.CASCADE, related_name="reply_phrases", verbose_name=_("department")
    )
    title = models.CharField(_("title"), max_length=60)
    text = models.TextField(_("phrase"), max_length=2000)
    position = models.PositiveIntegerField(_("position"), default=0, db_default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_default=Now())

    class Meta:
        app_label = "cases"
        verbose_name = _("reply phrase")
        verbose_name_plural = _("reply phrases")
        ordering = ["department", "position", "title", "id"]

    def __str__(self):
        return self.title
