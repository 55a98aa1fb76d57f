from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cases.infra import metrics

urlpatterns = [
    path("", include("cases.desk.urls")),
    path("", include("cases.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("notifications/", include("notifications.urls")),
    path("tasks/", include("workflows.urls")),
    path("", include("cases.records.urls")),
    path("", include("cases.repair.urls")),
    path("", include("cases.complaints.urls")),
    path("", include("cases.supervision.urls")),
    path("", include("cases.reporting.urls")),
    path("api/v1/", include("cases.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # For the monitoring system only: 404 until METRICS_TOKEN or METRICS_ALLOWED_IPS is set.
    path("metrics", metrics.endpoint, name="metrics"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) if settings.DEBUG else []
