"""`{{ value|due_date|date:"Y-m-d" }}`: the date a deadline falls due, at the office, on every page.

A case's next due time (Case.next_due_at) and a deadline's Deadline.due_at are the moment the
step becomes overdue — the office's midnight after the last day — so `|date` on them prints the
day after the due date that the case page, the notices and the messages give.
"""

from django import template

from cases.core import deadlines

register = template.Library()


@register.filter
def due_date(value):
    return deadlines.due_date(value)
