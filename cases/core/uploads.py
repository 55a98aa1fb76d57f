"""Checks on uploaded materials: size, real file type (by content, not by name), a safe name."""

import unicodedata
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from cases.core.exceptions import InvalidInput

# The first bytes of each accepted type; a renamed executable or archive does not start like these.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def safe_name(name: str) -> str:
    """The file's own name without folders or control characters, for display only."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    return cleaned[:200] or "file"


def check_material(upload) -> str:
    """Return the file's content type, or raise InvalidInput saying what is wrong."""
    limit = settings.MAX_MATERIAL_BYTES
    if upload.size == 0:
        raise InvalidInput(_("The file is empty."))
    if upload.size > limit:
        raise InvalidInput(_("The file is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)})
    extension = PurePath(upload.name or "").suffix.lower()
    declared = EXTENSIONS.get(extension)
    if declared is None:
        raise InvalidInput(_("Upload a PDF, JPG or PNG file."))
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SIGNATURES[declared]):
        raise InvalidInput(_("The file's content is not a %(type)s file.") % {"type": extension.lstrip(".").upper()})
    return declared
