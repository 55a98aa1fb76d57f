from django.urls import path

from cases.complaints import views

urlpatterns = [
    path("my/complaints/", views.my_complaints, name="my-complaints"),
    path("complaints/new/", views.file_complaint, name="complaint-file"),
    path("complaints/register/", views.register_counter_complaint, name="complaint-counter"),
    path("complaints/", views.complaint_queue, name="complaint-queue"),
    path("complaints/selected/", views.complaint_bulk, name="complaint-bulk"),
    path("integrity/", views.integrity_record, name="integrity"),
    path("integrity/<int:entry_id>/repaired/", views.integrity_repair, name="integrity-repair"),
    path("complaints/evidence/<int:evidence_id>/", views.evidence_file, name="complaint-evidence"),
    path("complaints/<str:number>/", views.complaint_page, name="complaint"),
    path("complaints/<str:number>/evidence/", views.evidence_upload, name="complaint-evidence-upload"),
    path("complaints/<str:number>/<slug:action>/", views.complaint_act, name="complaint-act"),
]
