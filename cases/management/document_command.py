from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation


class DocumentCommand(BaseCommand):
    """Writes one page of docs/ from the code it describes, in Chinese as the office reads it."""

    filename: str

    def document(self) -> str:
        raise NotImplementedError

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            text = self.document()
        path = Path(settings.BASE_DIR) / "docs" / self.filename
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
