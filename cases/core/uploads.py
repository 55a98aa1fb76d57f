"""Checks on uploaded materials: size, real file type (by content, not by name), a safe name; the
same checks for several files given together, and for a file a channel sends as base64."""

import base64
import binascii
import unicodedata
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
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


def check_materials(files, *, most: int) -> list[tuple[object, str]]:
    """Several files given together (a form's field, a channel's request): at most `most`, each
    checked by check_material. Each file with its content type; else InvalidInput whose
    details["files"] says every problem, a file's prefixed with its name."""
    if len(files) > most:
        message = _("Choose at most %(count)d files.") % {"count": most}
        raise InvalidInput(message, details={"files": [message]})
    checked, errors = [], []
    for upload in files:
        try:
            checked.append((upload, check_material(upload)))
        except InvalidInput as exc:
            errors.append(f"{safe_name(upload.name)}: {exc.message}")
    if errors:
        raise InvalidInput(errors[0], details={"files": errors})
    return checked


def decoded(name: str, encoded: str, content_type: str = "") -> SimpleUploadedFile:
    """A file sent as base64 (standard alphabet, padded) in a JSON body, decoded; one larger than
    MAX_MATERIAL_BYTES is refused from its length, before decoding. InvalidInput with the upload
    checks' own words (check_material still checks the decoded file)."""
    limit = settings.MAX_MATERIAL_BYTES
    if len(encoded) > 4 * -(-limit // 3):  # longer than the largest file's base64
        raise InvalidInput(_("The file is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)})
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(_("The content must be base64.")) from exc
    return SimpleUploadedFile(safe_name(name), content, content_type=content_type)
