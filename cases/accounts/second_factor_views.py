"""The second-factor pages: the account's overview, enrolment (QR code, secret, a code to confirm,
the recovery codes shown once), the verification step after the password, new recovery codes, and
turning it off (applicants only: staff must keep it). The rules are in cases/second_factor.py."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from cases.accounts import second_factor
from cases.core import feedback
from cases.core.exceptions import NotPermitted
from cases.core.roles import is_staff_member


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def overview(request):
    user = request.user
    return render(
        request,
        "registration/two_factor.html",
        {
            "enrolled": user_has_device(user),
            "verified": user.is_verified(),
            "required": is_staff_member(user),
            "codes_left": second_factor.recovery_codes_left(user),
        },
    )


@login_required
def enrol(request):
    user = request.user
    if user_has_device(user) and not user.is_verified():
        # A second app only with the first one's code: a password alone does not add a device.
        return redirect(f"{reverse('two-factor-verify')}?next={request.path}")
    device = second_factor.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_enrolment(request, form.cleaned_data["token"])
        if codes is not None:
            return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("token", _("That code is not right. Type the code the app shows now."))
    context = {
        "form": form,
        "qr_svg": second_factor.qr_svg(device),
        "secret": second_factor.secret_base32(device),
        "next": _next(request),
    }
    return render(request, "registration/two_factor_enrol.html", context, status=feedback.status_after(request, form))


@login_required
def verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not user_has_device(user):
        return redirect("two-factor-enrol" if is_staff_member(user) else "two-factor")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request, form.cleaned_data["token"]):
            return redirect(_next(request))
        form.add_error("token", _("That code is not right, or it was used already. Wait for the next code."))
    context = {"form": form, "next": _next(request)}
    return render(request, "registration/two_factor_verify.html", context, status=feedback.status_after(request, form))


@require_POST
@login_required
def recovery_codes(request):
    if not (user_has_device(request.user) and request.user.is_verified()):
        raise NotPermitted()
    codes = second_factor.new_recovery_codes(request.user)
    return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": reverse("two-factor")})


@require_POST
@login_required
def turn_off(request):
    user = request.user
    if is_staff_member(user):
        raise NotPermitted(_("Staff sign in with a second factor; it cannot be turned off."))
    if user_has_device(user) and not user.is_verified():
        raise NotPermitted()
    second_factor.remove_devices(user)
    request.session.pop("otp_device_id", None)
    messages.success(request, _("Two-step sign-in is off."))
    return redirect("two-factor")
