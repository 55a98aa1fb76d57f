"""Django's makemessages, also finding the msgids that notifications say later: Phrase("...")
(notifications/phrases.py) is a keyword of the catalogue like gettext."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=Phrase"]
