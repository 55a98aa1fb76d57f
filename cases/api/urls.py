from django.urls import path

from cases.api import complaints, repair_window, views

app_name = "api"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("departments/", views.DepartmentList.as_view(), name="departments"),
    path("working-days/", views.working_days, name="working-days"),
    path("records/", views.CreditRecordList.as_view(), name="records"),
    path("complaints/", complaints.ComplaintIntake.as_view(), name="complaint-intake"),
    path("complaints/<str:reference>/", complaints.ComplaintStatus.as_view(), name="complaint-status"),
    path("complaints/<str:reference>/feedback/", complaints.ComplaintFeedback.as_view(), name="complaint-feedback"),
    path(
        "complaints/<str:reference>/withdrawal/", complaints.ComplaintWithdrawal.as_view(), name="complaint-withdrawal"
    ),
    path("repair-applications/", repair_window.RepairApplicationPush.as_view(), name="repair-application-push"),
    path(
        "repair-applications/<str:platform_number>/",
        repair_window.RepairApplicationStatus.as_view(),
        name="repair-application-status",
    ),
]
