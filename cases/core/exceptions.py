"""Typed domain errors. Each carries the HTTP status that views and the API answer with,
and a message the user reads (translated; zh-hans first)."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400
    code = "invalid"
    default_message = _("The request cannot be carried out.")

    def __init__(self, message=None, *, details=None):
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(str(self.message))


class InvalidInput(DomainError):
    status_code = 400
    code = "invalid_input"
    default_message = _("Some of the information given is not valid.")


class Unauthenticated(DomainError):
    status_code = 401
    code = "unauthenticated"
    default_message = _("The request is not signed correctly.")


class NotPermitted(DomainError):
    status_code = 403
    code = "not_permitted"
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = _("No such record, or it is not yours to see.")


class Throttled(DomainError):
    status_code = 429
    code = "throttled"
    default_message = _("Too many failed attempts from here. Wait a few minutes, then try again.")


class IllegalTransition(DomainError):
    status_code = 409
    code = "illegal_transition"
    default_message = _("This step is not possible in the case's current state.")


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_message = _("Someone else changed this record at the same time. Reload the page and try again.")


class PolicyMissing(DomainError):
    status_code = 500
    code = "policy_missing"
    default_message = _("A policy setting is missing. Ask an administrator to restore it.")
