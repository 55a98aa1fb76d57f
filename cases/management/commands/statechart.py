from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from cases import statechart


class Command(BaseCommand):
    help = "Write docs/repair-states.md, the credit-repair state diagram, from the state machine."

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            text = statechart.document()
        path = Path(settings.BASE_DIR) / "docs" / "repair-states.md"
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
