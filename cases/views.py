from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases import health, identity, services
from cases.forms import ApplicantSignUpForm
from cases.roles import Role


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = ApplicantSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.register_applicant(form=form)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("identity")  # nothing of the entity shows until the account is verified
    return render(request, "registration/signup.html", {"form": form})


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
