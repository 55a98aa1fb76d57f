from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation


class DocumentCommand(BaseCommand):
    """Writes pages of docs/ from the code they describe, in Chinese as the office reads them.
    One page: set `filename` and `document()`; several: override `documents()`."""

    filename: str

    def document(self) -> str:
        raise NotImplementedError

    def documents(self) -> dict[str, str]:
        """The pages to write, by file name in docs/."""
        return {self.filename: self.document()}

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            pages = self.documents()
        for filename, text in pages.items():
            path = Path(settings.BASE_DIR) / "docs" / filename
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {path}")
