from datetime import date

from django import template

register = template.Library()


@register.filter
def cn_date(value) -> str:
    """A date as official documents write it (GB/T 9704-2012, 7.3.5.4): 2026年12月2日."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.year}年{value.month}月{value.day}日"
