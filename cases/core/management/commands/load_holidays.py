from django.core.management.base import BaseCommand

from cases.core import calendar_seed, workdays
from cases.core.models import Holiday


class Command(BaseCommand):
    help = "Add the official holidays the chinese-calendar package knows that the table lacks (edits are kept)."

    def handle(self, *args, **options):
        added = calendar_seed.load_official_schedule(Holiday)
        workdays.clear_cache()
        years = calendar_seed.known_years()
        self.stdout.write(f"{added} days added; the package covers {years.start}–{years.stop - 1}.")
        missing = workdays.missing_calendar_years()
        if missing:
            self.stdout.write(self.style.WARNING(f"No schedule loaded for {missing}: add it in the admin."))
