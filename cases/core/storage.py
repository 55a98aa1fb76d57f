"""Private files (a department's seal image and signing key): kept under PRIVATE_ROOT, outside
MEDIA_ROOT, and never given a URL; only the code that draws and signs notices opens them."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        kwargs.setdefault("location", settings.PRIVATE_ROOT)
        super().__init__(**kwargs)

    def url(self, name):
        raise ValueError("A private file has no URL.")


def private_storage() -> PrivateStorage:
    """The storage of the private fields (a callable, so migrations do not freeze the folder)."""
    return PrivateStorage()


def complaint_evidence_path(instance, filename: str) -> str:
    """A complainant's evidence file, stored under a random name: the user's file name is kept only
    as data, never as a path."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"complaints/{instance.complaint_id}/{uuid.uuid4().hex}{suffix}"
