"""Public tracking: anyone with a case number and its verification code sees the public status
and timeline of the case — no personal data, no internal steps. Rate-limited per address."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_ratelimit.decorators import ratelimit

from cases.core import selectors
from cases.core.event_types import HIDDEN_FROM_APPLICANT, EventType
from cases.core.models import Case

PUBLIC_EVENTS_EXCLUDED = HIDDEN_FROM_APPLICANT | {
    EventType.REPAIR_MATERIAL_ADDED, EventType.DEADLINE_STARTED, EventType.DEADLINE_CLOSED, EventType.ARREARS_PAYMENT,
}  # fmt: skip


class TrackingForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=20)
    code = forms.CharField(label=_("Verification code"), max_length=8)


@ratelimit(key="ip", rate="20/m", method=["GET", "POST"], block=False)
def track(request):
    # A look-up is asked for once both fields are sent (the form sends both, even empty): a link
    # that carries only the case number fills it in without an error before the person has typed.
    asked = "number" in request.GET and "code" in request.GET
    form = TrackingForm(request.GET if asked else None, initial={"number": request.GET.get("number", "")})
    context = {"form": form}
    if getattr(request, "limited", False):
        return render(request, "cases/track.html", {**context, "limited": True}, status=429)
    if form.is_bound and form.is_valid():
        case = Case.objects.filter(
            number=form.cleaned_data["number"].strip().upper(),
            verification_code=form.cleaned_data["code"].strip().upper(),
        ).first()
        if case is None:
            context["not_found"] = True
        else:
            context["case"] = case
            context["timeline"] = selectors.case_timeline(case).exclude(event_type__in=PUBLIC_EVENTS_EXCLUDED)
    return render(request, "cases/track.html", context)
