"""Pages of a new password by text message: the user name and mobile number, the code, the new
password. The e-mail way is Django's (templates/registration/password_reset_*.html)."""

import time

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.accounts import password_reset
from cases.core import feedback
from cases.core.models import User

USERNAME_KEY = "password_reset_sms_username"
PROVEN_KEY = "password_reset_sms_proven"  # {"user": pk, "at": epoch seconds} once the code was right


class AccountForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20,
                            help_text=gettext_lazy("The number given for this account."))  # fmt: skip


class ResetCodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from the text message"), max_length=6, min_length=6)


def request_code(request):
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset.send_reset_code(username=form.cleaned_data["username"], phone=form.cleaned_data["phone"])
        request.session[USERNAME_KEY] = form.cleaned_data["username"].strip()
        request.session.pop(PROVEN_KEY, None)
        return redirect("password-reset-sms-code")
    return render(
        request, "registration/password_reset_sms.html", {"form": form}, status=feedback.status_after(request, form)
    )


def enter_code(request):
    username = request.session.get(USERNAME_KEY)
    if not username:
        return redirect("password-reset-sms")
    form = ResetCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = password_reset.check_reset_code(username=username, code=form.cleaned_data["code"])
        if isinstance(outcome, User):
            request.session.pop(USERNAME_KEY, None)
            request.session[PROVEN_KEY] = {"user": outcome.pk, "at": int(time.time())}
            return redirect("password-reset-sms-new")
        form.add_error("code", {
            "expired": _("The code has expired or was replaced. Ask for a new one."),
            "exhausted": _("Too many wrong codes. Ask for a new one."),
            "wrong": _("The code is not right."),
        }[outcome])  # fmt: skip
    context = {"form": form, "code_minutes": settings.IDENTITY_CODE_MINUTES}
    return render(
        request, "registration/password_reset_sms_code.html", context, status=feedback.status_after(request, form)
    )


def new_password(request):
    proven = request.session.get(PROVEN_KEY) or {}
    fresh = time.time() - proven.get("at", 0) <= settings.IDENTITY_CODE_MINUTES * 60
    user = User.objects.filter(pk=proven.get("user"), is_active=True).first() if fresh else None
    if user is None:
        request.session.pop(PROVEN_KEY, None)
        return redirect("password-reset-sms")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset.set_new_password(form=form, method="sms")
        request.session.pop(PROVEN_KEY, None)
        return redirect("password_reset_complete")
    context = {"form": form, "validlink": True}
    return render(
        request, "registration/password_reset_confirm.html", context, status=feedback.status_after(request, form)
    )


class EmailLinkNewPassword(auth_views.PasswordResetConfirmView):
    """Django's page behind the e-mail link, the new password saved through the service."""

    def form_valid(self, form):
        password_reset.set_new_password(form=form, method="email")
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.get_success_url())
