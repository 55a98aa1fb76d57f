"""The admin site's own titles; each app registers its models in its own admin module."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Chengxin administration")
admin.site.site_title = _("Chengxin")
admin.site.index_title = _("Reference data and users")
