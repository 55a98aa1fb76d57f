"""Make the coming months' partitions of the audit trail and the notifications now (beat does it
daily), moving any rows that waited in a default partition into their month's partition."""

from django.core.management.base import BaseCommand

from cases.infra.partitions import MONTHS_AHEAD, default_rows, ensure_partitions


class Command(BaseCommand):
    help = "Create the monthly partitions of the partitioned tables ahead of time (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=MONTHS_AHEAD, help="Months after this one to make.")

    def handle(self, *args, months_ahead=MONTHS_AHEAD, **options):
        made = ensure_partitions(months_ahead)
        for name in made:
            self.stdout.write(f"created {name}")
        if not made:
            self.stdout.write("every partition is there")
        for table, rows in default_rows().items():
            self.stdout.write(f"{table}: {rows} rows in the default partition")
