from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from cases.core.roles import Role
from cases.demo.loader import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    load_demo_bodies,
    load_demo_cases,
    load_demo_channels,
    load_demo_history,
    load_demo_records,
    load_demo_users,
)


class Command(BaseCommand):
    help = "Load the demo users (one per role, three departments). Safe to run again."

    def handle(self, *args, **options):
        # What the demo stores in words (case titles, notifications) is written in the office's language.
        with translation.override(settings.LANGUAGE_CODE):
            self._load()

    def _load(self):
        users = load_demo_users()
        self.stdout.write(self.style.SUCCESS(f"Demo users ready (password for all: {DEMO_PASSWORD}):"))
        for demo in users:
            where = demo.department or demo.entity_name or "-"
            self.stdout.write(f"  {demo.username:<10} {Role(demo.role).label:<8} {where}")
        self.stdout.write(
            f"Staff sign in with a second factor: add the key {DEMO_TOTP_SECRET} to an authenticator app, or print "
            'the current code with: python -c "import base64; from django_otp.oath import totp; '
            f"print('%06d' % totp(base64.b32decode('{DEMO_TOTP_SECRET}')))\""
        )
        if load_demo_records():
            self.stdout.write("2 published penalty records about the demo enterprise registered.")
        channels = load_demo_channels()
        self.stdout.write(f"Complaint channels {', '.join(channels)} (signing secret: demo-<code>).")
        if load_demo_bodies():
            self.stdout.write("Respondent bodies below the district's departments added to the registry.")
        opened = load_demo_cases()
        if opened:
            self.stdout.write(f"{opened} demo cases opened; the deadline sweep will remind and supervise them.")
        if load_demo_history():
            self.stdout.write(
                "This half-year's history: complaints closed, reopened, rejected and answered, a repair decided."
            )
