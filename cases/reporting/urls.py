from django.urls import path

from cases.reporting import views

urlpatterns = [
    path("figures/", views.figures, name="figures"),
    path("figures/report.<str:fmt>", views.report_download, name="figures-report"),
]
