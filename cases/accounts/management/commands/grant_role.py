from django.core.management.base import BaseCommand, CommandError

from cases.accounts.staff_accounts import check_roles
from cases.core import events
from cases.core.exceptions import NotPermitted
from cases.core.models import User
from cases.core.roles import Role, grant_role


class Command(BaseCommand):
    help = (
        "Give a user a role from the command line: how the first security administrator is appointed "
        "(pages never give that role). Audited with no actor."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args, username, role, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"no user {username!r}") from exc
        try:
            check_roles(user.role_names | {role})
        except NotPermitted as exc:
            raise CommandError(str(exc.message)) from exc
        grant_role(user, role)
        events.role_granted_event(user=user, actor=None, role=role)
        self.stdout.write(f"{username}: {Role(role).label}")
