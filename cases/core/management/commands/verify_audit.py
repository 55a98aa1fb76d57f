from django.core.management.base import BaseCommand, CommandError

from cases.core import audit_chain


class Command(BaseCommand):
    help = (
        "Walk every chain of the audit trail and check each link (cases/audit_chain.py); "
        "report the first broken one (which event, which chain, expected and found) and exit 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=None, help="the database alias (default: the trail's)")

    def handle(self, *args, database=None, **options):
        result = audit_chain.verify(using=database)
        if result.broken is not None:
            raise CommandError(
                f"audit trail broken after {result.events:,} intact events: {result.broken}", returncode=1
            )
        self.stdout.write(f"audit trail intact: {result.chains:,} chains, {result.events:,} events")
