"""Pages of identity binding (实名认证): an applicant's own page (status, a code to the number on
record, the enterprise's bound people for its legal representative) and the clerks' counter page."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.accounts import services as identity_services
from cases.core import feedback, identity, masking
from cases.core.exceptions import InvalidInput, Throttled
from cases.core.models import BindingRole
from cases.core.models.org import EntityKind


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from the text message"), max_length=6, min_length=6)


class CounterBindingForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("The account's user name"), max_length=150)
    entity_kind = forms.ChoiceField(label=gettext_lazy("Applying as"), choices=EntityKind.choices)
    id_number = forms.CharField(label=gettext_lazy("Unified social credit code or resident ID number"), max_length=30)
    entity_name = forms.CharField(label=gettext_lazy("Name on the licence or ID card"), max_length=200)
    role = forms.ChoiceField(
        label=gettext_lazy("Acts as"),
        choices=[(BindingRole.LEGAL_REPRESENTATIVE, BindingRole.LEGAL_REPRESENTATIVE.label),
                 (BindingRole.AGENT, BindingRole.AGENT.label)],
        help_text=gettext_lazy("For a person, the person themselves."),
    )  # fmt: skip
    phone = forms.CharField(
        label=gettext_lazy("Mobile number on record (optional)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Codes for binding online are sent to this number."),
    )
    documents_seen = forms.BooleanField(
        label=gettext_lazy("I have seen the business licence or the ID card, and the ID card of the person present.")
    )


@login_required
def identity_page(request):
    return render(request, "cases/identity.html", _identity_context(request, CodeForm()))


def _identity_context(request, code_form) -> dict:
    user = request.user
    binding = identity.binding_of(user)
    pending_phone = ""
    if binding is None and user.entity_kind and user.id_number:
        pending_phone = identity_services.phone_on_record(user.entity_kind, user.id_number)
    context = {
        "binding": binding,
        "claimed_kind": EntityKind(user.entity_kind).label if user.entity_kind else "",
        "phone_masked": masking.mask_phone(pending_phone) if pending_phone else "",
        "code_form": code_form,
        "code_minutes": settings.IDENTITY_CODE_MINUTES,
        "people": (
            identity.bindings_of_entity(binding.entity_kind, binding.id_number)
            if binding and binding.role == BindingRole.LEGAL_REPRESENTATIVE
            else []
        ),
    }
    return context


@login_required
@require_POST
def send_code(request):
    try:
        identity_services.send_binding_code(user=request.user)
    except (InvalidInput, Throttled) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A code is on its way to the mobile number on record."))
    return redirect("identity")


@login_required
@require_POST
def verify_code(request):
    form = CodeForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Type the six digits of the code."))
        identity_services.verify_binding_code(user=request.user, code=form.cleaned_data["code"])
    except feedback.REFUSED as error:
        context = _identity_context(request, form)
        return feedback.form_again(request, "cases/identity.html", context, error, form="code_form")
    messages.success(request, _("Your account is now verified for this enterprise or person."))
    return redirect("my-records")


@login_required
@require_POST
def revoke(request, binding_id: int):
    binding = identity_services.revoke_binding(
        actor=request.user, binding_id=binding_id, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("%(name)s no longer acts for this enterprise.") % {"name": binding.user})
    return redirect("identity")


@login_required
def counter(request):
    """A clerk binds an account after seeing the licence or the ID card at the counter."""
    if not request.user.has_perm("cases.verify_identities"):
        raise PermissionDenied
    form = CounterBindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            binding = identity_services.bind_at_counter(
                actor=request.user, username=data["username"], kind=data["entity_kind"], id_number=data["id_number"],
                name=data["entity_name"], role=data["role"], phone=data["phone"],
            )  # fmt: skip
        except feedback.REFUSED as error:
            return feedback.form_again(request, "cases/identity_counter.html", {"form": form}, error)
        messages.success(
            request, _("%(user)s now acts for %(entity)s.") % {"user": binding.user, "entity": binding.entity_name}
        )
        return redirect("identity-counter")
    context = {"form": form}
    return render(request, "cases/identity_counter.html", context, status=feedback.status_after(request, form))
