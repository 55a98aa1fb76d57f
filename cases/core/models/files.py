"""What every kept upload records, whatever it belongs to (a repair material, a complaint's or an
objection's evidence): the user's file name as data only, the type its content showed, the size,
who gave it and when. Each kind declares its own `file` (where it is stored) and its owner."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from cases.core import uploads


class UploadedFile(models.Model):
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    # None: sent by a channel's system (the national single window, a complaint channel).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_default=Now())

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @classmethod
    def keep(cls, upload, content_type: str, *, uploaded_by, **owner):
        """Store a checked upload (uploads.check_material gave `content_type`) for its owner."""
        return cls.objects.create(file=upload, original_name=uploads.safe_name(upload.name), content_type=content_type,
                                  size=upload.size, uploaded_by=uploaded_by, **owner)  # fmt: skip
