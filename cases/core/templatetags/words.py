"""How amounts and the office's named choices read on a page.

Amounts: `yuan` everywhere an amount of money is shown (860,000.00 元 / 860,000.00 yuan, grouped by
thousands, two decimals); `wan_yuan` where the office writes round figures in 万元 (the figures'
summary lines): 86 万元 in Chinese, 860,000 yuan in English (English has no 万). Tables whose header
names the unit show the grouped number alone (`amount`)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases.core import policies

register = template.Library()

NOTHING = "—"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def amount(value) -> str:
    """860000 → "860,000.00"; no amount → "—"."""
    number = _decimal(value)
    return NOTHING if number is None else f"{number:,.2f}"


@register.filter
def yuan(value) -> str:
    """860000 → "860,000.00 元" (English: "860,000.00 yuan"); no amount → "—"."""
    number = _decimal(value)
    if number is None:
        return NOTHING
    return _("%(amount)s yuan") % {"amount": f"{number:,.2f}"}


@register.filter
def wan_yuan(value) -> str:
    """860000 → "86 万元", 865000 → "86.5 万元", 1234 → "0.12 万元"; English: "860,000 yuan"."""
    number = _decimal(value)
    if number is None:
        return NOTHING
    if not (get_language() or "").startswith("zh"):
        return _("%(amount)s yuan") % {"amount": f"{number:,.0f}"}
    wan = (number / 10000).quantize(Decimal("0.01"))
    text = f"{wan:,.2f}".rstrip("0").rstrip(".")
    return _("%(amount)s ten thousand yuan") % {"amount": text}


@register.filter
def choice_name(name: str) -> str:
    """A complaint subject's or a material's name in the page's language (an administrator's own reads as written)."""
    return policies.choice_name(name)
