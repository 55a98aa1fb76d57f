from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """66.7 → "66.7%"; a rate with nothing to count → "—"."""
    return "—" if value is None else f"{value:.1f}%"
