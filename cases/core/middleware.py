"""Turns domain errors raised anywhere below a view into a readable page or a JSON body; sends the
Permissions-Policy header."""

from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from viewflow.fsm import TransitionNotAllowed

from cases.core.exceptions import DomainError, IllegalTransition


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


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy header (settings.PERMISSIONS_POLICY) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


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


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """zh-hans unless the user chose English with the language switch (the cookie): the
    browser's own Accept-Language is not asked, so an English-language browser still gets the
    office's Chinese pages first."""

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
