from django.urls import path

from cases.repair import objection_views, views

urlpatterns = [
    path("my/applications/", views.my_applications, name="my-applications"),
    path("repair/start/<int:record_id>/", views.start, name="repair-start"),
    path("repair/queue/", views.queue, name="repair-queue"),
    path("cases/<int:case_id>/claim/", views.claim, name="case-claim"),
    path("cases/<int:case_id>/release/", views.release, name="case-release"),
    path("repair/materials/<int:material_id>/", views.material_file, name="repair-material"),
    path("repair/<str:number>/", views.application_page, name="repair-application"),
    path("repair/<str:number>/upload/", views.upload, name="repair-upload"),
    path("repair/<str:number>/<slug:action>/", views.act, name="repair-act"),
]

# Credit information objections (cases/repair/objections.py).
urlpatterns += [
    path("my/records/<int:record_id>/objection/", objection_views.objection_new, name="objection-new"),
    path("objections/queue/", objection_views.queue, name="objection-queue"),
    path("objections/evidence/<int:evidence_id>/", objection_views.evidence_file, name="objection-evidence"),
    path("objections/<str:number>/", objection_views.objection_page, name="objection"),
    path("objections/<str:number>/<slug:action>/", objection_views.act, name="objection-act"),
]
