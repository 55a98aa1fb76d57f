from django.urls import path

from cases.desk import case_views, staff_views, tracking_views, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("track/", tracking_views.track, name="track"),
    path("cases/<str:number>/", case_views.case_detail, name="case-detail"),
    path("cases/<str:number>/receipt/", case_views.case_receipt, name="case-receipt"),
    path("filters/", staff_views.save_filter, name="saved-filter-save"),
    path("filters/<int:filter_id>/default/", staff_views.default_filter, name="saved-filter-default"),
    path("filters/<int:filter_id>/delete/", staff_views.delete_filter, name="saved-filter-delete"),
    path("phrases/", staff_views.phrases, name="phrases"),
    path("phrases/<int:phrase_id>/", staff_views.phrase_edit, name="phrase-edit"),
    path("phrases/<int:phrase_id>/delete/", staff_views.phrase_delete, name="phrase-delete"),
]
