"""DRF's exception handler, taught our domain errors (same JSON body as the middleware)."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases.core.middleware import as_domain_error, error_body


def exception_handler(exc, context):
    error = as_domain_error(exc)
    if error is not None:
        return Response(error_body(error), status=error.status_code)
    return drf_exception_handler(exc, context)
