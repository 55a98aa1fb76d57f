from django.urls import path

from cases.desk import case_views, tracking_views, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("track/", tracking_views.track, name="track"),
    path("cases/<str:number>/", case_views.case_detail, name="case-detail"),
    path("cases/<str:number>/receipt/", case_views.case_receipt, name="case-receipt"),
]
