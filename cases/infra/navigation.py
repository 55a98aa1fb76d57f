"""Where to send the user after a form (the page they came from, if it is one of ours), and the
links of a whole list at once."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def url_for_each(name: str):
    """Links of one kind for every row of a list: reversed once and filled in per row, since
    reversing each costs as much as the rest of the row. `name` takes one argument."""
    marker = 999999937
    head, tail = reverse(name, args=[marker]).rsplit(str(marker), 1)
    return lambda value: f"{head}{value}{tail}"
