from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from workflows import flowchart


class Command(BaseCommand):
    help = "Write docs/flows.md, the diagrams of the two viewflow flows, from their nodes."

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            text = flowchart.document()
        path = Path(settings.BASE_DIR) / "docs" / "flows.md"
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
