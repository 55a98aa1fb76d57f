"""Turns domain errors raised anywhere below a view into a readable page or a JSON body."""

from django.http import JsonResponse
from django.shortcuts import render
from viewflow.fsm import TransitionNotAllowed

from cases.exceptions import DomainError, IllegalTransition


def as_domain_error(exc: Exception) -> DomainError | None:
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, TransitionNotAllowed):
        return IllegalTransition()
    return None


def wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept)


def error_body(error: DomainError) -> dict:
    return {"error": error.code, "message": str(error.message), "details": error.details}


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        error = as_domain_error(exc)
        if error is None:
            return None
        if wants_json(request):
            return JsonResponse(error_body(error), status=error.status_code)
        return render(request, "error.html", {"error": error}, status=error.status_code)
