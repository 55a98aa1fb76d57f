"""The staff's shortcuts on the pages: the saved filters above a list and the reply-phrase
picker beside a reply or reason box (cases/core/staff_speed.py)."""

from django import template

from cases.core import staff_speed

register = template.Library()


@register.inclusion_tag("staff/saved_filters.html", takes_context=True)
def saved_filters(context, list_key: str):
    request = context["request"]
    user = request.user
    filters = staff_speed.saved_filters_of_request(request, list_key)
    current = staff_speed.filter_query(request.GET.urlencode())
    return {
        "list_key": list_key,
        "filters": filters,
        "current": current,
        "has_default": any(item.is_default for item in filters),
        "may_save": user.is_authenticated and user.department_id is not None,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("staff/phrase_picker.html", takes_context=True)
def phrase_picker(context, target: str = "", name: str = ""):
    """A select of the department's phrases and an Insert button that puts the chosen phrase into
    the text box whose id is `target` (or, without one, the form's text field used last), by
    static/js/staff.js; without scripts the phrases are listed to copy. `name` tells the pickers
    of one page apart."""
    phrases = list(staff_speed.phrases_for(context["request"].user))
    return {"phrases": phrases, "target": target, "picker_id": f"phrase-{target or name or 'picker'}"}
