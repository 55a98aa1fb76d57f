"""The <option>s of a department select, as HTML, kept per process.

Why: a province hosts thousands of departments (86 districts' 29 each), and the board's filter
and the complaint queue's assignment offer them on every page; reading and rendering them cost
more than the rest of the page. The rendered options are kept for a minute per list and
language, and dropped at once when this process saves or deletes a department (another process
sees the change within the minute)."""

import threading
import time

from django.db.models.signals import post_delete, post_save
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

KEEP_SECONDS = 60
ALL = "all"  # every active department: the board's filter
ROUTABLE = "routable"  # those a complaint can be assigned to (not the supervising unit)

_kept: dict[tuple[str, str], tuple[float, str]] = {}
_lock = threading.Lock()


def _rendered(which: str) -> str:
    from cases.core.models import Department

    departments = Department.objects.filter(active=True)
    if which == ROUTABLE:
        departments = departments.filter(is_supervising_unit=False)
    rows = departments.order_by("code").values_list("pk", "name_zh", "name_en")
    return format_html_join(
        "", '<option value="{}">{}</option>', ((pk, Department.name_in_language(zh, en)) for pk, zh, en in rows)
    )


def options(which: str = ALL, chosen: str = "") -> SafeString:
    """The options of the active departments (`which`: ALL or ROUTABLE), by code, named in the
    page's language; the one whose id is `chosen` selected."""
    key = (which, get_language() or "")
    now = time.monotonic()
    with _lock:
        found = _kept.get(key)
    if found is None or now - found[0] >= KEEP_SECONDS:
        found = (now, _rendered(which))
        with _lock:
            _kept[key] = found
    html = found[1]
    chosen = str(chosen or "")
    if chosen.isdigit():
        html = html.replace(f'<option value="{chosen}">', f'<option value="{chosen}" selected>', 1)
    return mark_safe(html)


def forget(**_signal) -> None:
    with _lock:
        _kept.clear()


def connect_signals() -> None:
    from cases.core.models import Department

    post_save.connect(forget, sender=Department, dispatch_uid="department-options-saved")
    post_delete.connect(forget, sender=Department, dispatch_uid="department-options-deleted")
