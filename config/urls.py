from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cases import (
    case_views,
    complaint_views,
    figures_views,
    record_views,
    repair_views,
    supervision_views,
    tracking_views,
)
from cases import views as desk_views
from cases.login_throttle import LoginView as ThrottledLoginView

urlpatterns = [
    path("", desk_views.landing, name="landing"),
    path("home/", desk_views.home, name="home"),
    path("healthz", desk_views.healthz, name="healthz"),
    path("track/", tracking_views.track, name="track"),
    path("accounts/signup/", desk_views.signup, name="signup"),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("notifications/", include("notifications.urls")),
    path("tasks/", include("workflows.urls")),
    path("cases/<str:number>/", case_views.case_detail, name="case-detail"),
    path("records/", record_views.record_list, name="records"),
    path("records/new/", record_views.record_new, name="record-new"),
    path("records/import/", record_views.record_import_view, name="record-import"),
    path("records/import/template.csv", record_views.record_import_template, name="record-import-template"),
    path("my/records/", record_views.my_records, name="my-records"),
    path("notices/<int:notice_id>/pdf/", record_views.notice_pdf, name="notice-pdf"),
    path("my/applications/", repair_views.my_applications, name="my-applications"),
    path("my/complaints/", complaint_views.my_complaints, name="my-complaints"),
    path("complaints/new/", complaint_views.file_complaint, name="complaint-file"),
    path("complaints/register/", complaint_views.register_counter_complaint, name="complaint-counter"),
    path("complaints/", complaint_views.complaint_queue, name="complaint-queue"),
    path("integrity/", complaint_views.integrity_record, name="integrity"),
    path("complaints/<str:number>/", complaint_views.complaint_page, name="complaint"),
    path("complaints/<str:number>/<slug:action>/", complaint_views.complaint_act, name="complaint-act"),
    path("repair/start/<int:record_id>/", repair_views.start, name="repair-start"),
    path("repair/queue/", repair_views.queue, name="repair-queue"),
    path("cases/<int:case_id>/claim/", repair_views.claim, name="case-claim"),
    path("cases/<int:case_id>/release/", repair_views.release, name="case-release"),
    path("repair/materials/<int:material_id>/", repair_views.material_file, name="repair-material"),
    path("repair/<str:number>/", repair_views.application_page, name="repair-application"),
    path("repair/<str:number>/upload/", repair_views.upload, name="repair-upload"),
    path("repair/<str:number>/<slug:action>/", repair_views.act, name="repair-act"),
    path("supervision/", supervision_views.deadline_board, name="deadline-board"),
    path("supervision/cases/<int:case_id>/order/", supervision_views.issue_order, name="supervision-issue"),
    path("supervision/orders/", supervision_views.order_list, name="supervision-orders"),
    path("supervision/orders/<int:order_id>/", supervision_views.order_respond, name="supervision-order"),
    path("figures/", figures_views.figures, name="figures"),
    path("figures/report.<str:fmt>", figures_views.report_download, name="figures-report"),
    path("api/v1/", include("cases.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) if settings.DEBUG else []
