"""The pages of the staff's shortcuts (cases/core/staff_speed.py): saving, defaulting and deleting
a list's filters, and the department head's reply phrases (常用语)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.core import feedback, staff_speed
from cases.core.exceptions import InvalidInput
from cases.infra.navigation import redirect_back


@login_required
@require_POST
def save_filter(request):
    list_key = request.POST.get("list", "")
    try:
        saved = staff_speed.save_filter(
            actor=request.user,
            list_key=list_key,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
        )
    except InvalidInput as error:
        return feedback.told_back(request, error, list_key)
    messages.success(request, _("The filter is saved as “%(name)s”.") % {"name": saved.name})
    return redirect(f"{reverse(list_key)}?{saved.query or staff_speed.PLAIN}")


@login_required
@require_POST
def default_filter(request, filter_id: int):
    default = request.POST.get("default", "yes") != "no"
    saved = staff_speed.set_default_filter(actor=request.user, filter_id=filter_id, default=default)
    if default:
        text = _("“%(name)s” now opens when the list is opened.")
    else:
        text = _("“%(name)s” is no longer the list's default.")
    messages.success(request, text % {"name": saved.name})
    return redirect_back(request, saved.list_key)


@login_required
@require_POST
def delete_filter(request, filter_id: int):
    list_key = staff_speed.delete_filter(actor=request.user, filter_id=filter_id)
    messages.success(request, _("The saved filter is deleted."))
    return redirect_back(request, list_key)


def _position(value) -> int:
    text = (value or "").strip() or "0"
    return int(text) if text.isdecimal() and len(text) < 6 else 0


@login_required
def phrases(request):
    """The department's reply phrases: the head adds, edits and deletes them."""
    user = request.user
    if not staff_speed.may_manage_phrases(user):
        raise PermissionDenied
    errors, values = {}, {}
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in ("title", "text", "position")}
        try:
            phrase = staff_speed.add_phrase(
                actor=user, title=values["title"], text=values["text"], position=_position(values["position"])
            )
        except InvalidInput as error:
            errors = error.details
        else:
            messages.success(request, _("The phrase “%(title)s” is added.") % {"title": phrase.title})
            return redirect("phrases")
    return _render_phrases(request, status=400 if errors else 200, errors=errors, values=values)


def _render_phrases(request, status: int = 200, **context):
    """The phrases page; after a refused edit the same page again with the reasons at that
    phrase's form and what was typed put back (static/js/forms.js)."""
    context = {"phrases": staff_speed.phrases_for(request.user), **context}
    return render(request, "cases/phrases.html", context, status=status)


@login_required
@require_POST
def phrase_edit(request, phrase_id: int):
    post = request.POST
    try:
        phrase = staff_speed.edit_phrase(
            actor=request.user,
            phrase_id=phrase_id,
            title=post.get("title", ""),
            text=post.get("text", ""),
            position=_position(post.get("position")),
        )
    except InvalidInput as error:
        return _render_phrases(request, **feedback.again(error, post, f"phrases/{phrase_id}"))
    messages.success(request, _("The phrase “%(title)s” is saved.") % {"title": phrase.title})
    return redirect("phrases")


@login_required
@require_POST
def phrase_delete(request, phrase_id: int):
    staff_speed.delete_phrase(actor=request.user, phrase_id=phrase_id)
    messages.success(request, _("The phrase is deleted."))
    return redirect("phrases")
