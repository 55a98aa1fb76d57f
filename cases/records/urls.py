from django.urls import path

from cases.records import views

urlpatterns = [
    path("records/", views.record_list, name="records"),
    path("records/new/", views.record_new, name="record-new"),
    path("records/import/", views.record_import_view, name="record-import"),
    path("records/import/template.csv", views.record_import_template, name="record-import-template"),
    path("records/<int:record_id>/not-repairable/", views.record_not_repairable, name="record-not-repairable"),
    path("my/records/", views.my_records, name="my-records"),
    path("notices/<int:notice_id>/pdf/", views.notice_pdf, name="notice-pdf"),
]
