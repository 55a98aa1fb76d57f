from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.core import identity
from cases.core.roles import Role
from cases.infra import health


def landing(request):
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "cases/landing.html", {"form": AuthenticationForm(request)})


@login_required
def home(request):
    user = request.user
    roles = [Role(name) for name in sorted(user.role_names) if name in Role.values]
    return render(request, "cases/home.html", {"roles": roles, "binding": identity.binding_of(user)})


@never_cache
@require_GET
def healthz(request):
    body = health.report()
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
