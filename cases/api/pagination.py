"""Pages of API lists. `page` is what the schema says it is, a whole number from 1: anything else
(an empty value, 0, text) is refused as DRF refuses a page past the end, with 404."""

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound


class PageNumberPagination(pagination.PageNumberPagination):
    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is None:
            return 1
        if not value.isdecimal() or int(value) < 1:
            raise NotFound(_("Invalid page."))
        return value
