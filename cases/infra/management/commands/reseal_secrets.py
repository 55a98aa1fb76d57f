"""Seal every sealed secret (the channels' signing secrets, the departments' key passphrases) again
under the current DJANGO_SECRET_KEY, after a rotation: then the former key can leave
DJANGO_SECRET_KEY_FALLBACKS without locking them away. `--check` changes nothing and exits 1
while any is still sealed with a former key (or not sealed at all)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.infra.sealed import reseal, sealed_columns, sealed_with_current_key, stored_values


class Command(BaseCommand):
    help = "Seal the stored channel secrets and key passphrases again under the current secret key."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Change nothing; exit 1 if any needs re-sealing.")

    def handle(self, *args, check=False, **options):
        current = outdated = 0
        for model, field in sealed_columns():
            with transaction.atomic():
                for pk, stored in stored_values(model, field).select_for_update():
                    if sealed_with_current_key(stored):
                        current += 1
                        continue
                    outdated += 1
                    if not check:
                        try:
                            reseal(model, field, pk, stored)
                        except ImproperlyConfigured as exc:  # no key opens it: name the row
                            raise CommandError(f"{model._meta.label} {pk} ({field.name}): {exc}") from exc
        if check:
            self.stdout.write(f"{current} sealed with the current key, {outdated} with a former key or not sealed.")
            if outdated:
                raise CommandError("Run `manage.py reseal_secrets` before removing a former key.", returncode=1)
            return
        self.stdout.write(f"{outdated} re-sealed under the current key, {current} already were.")
