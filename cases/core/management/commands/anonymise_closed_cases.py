from django.core.management.base import BaseCommand
from django.utils import timezone

from cases.core import retention


class Command(BaseCommand):
    help = (
        "Anonymise the personal data of closed cases whose retention period (policy retain_months of "
        "their kind) has passed, as the daily task does; --dry-run lists them and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list the cases that are due, change nothing")
        parser.add_argument("--batch-size", type=int, default=retention.BATCH_SIZE, help="cases a transaction")

    def handle(self, *args, dry_run=False, batch_size=retention.BATCH_SIZE, **options):
        if dry_run:
            cases = list(retention.due().values_list("number", "kind", "closed_at"))
            for number, kind, closed_at in cases:
                self.stdout.write(f"{number}\t{kind}\tclosed {timezone.localdate(closed_at).isoformat()}")
            self.stdout.write(f"would anonymise {len(cases)} case(s)")
            return
        outcome = retention.anonymise_due(batch_size=batch_size)
        for number in outcome.anonymised:
            self.stdout.write(number)
        self.stdout.write(f"anonymised {len(outcome.anonymised)} case(s) in {outcome.batches} batch(es)")
