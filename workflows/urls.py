from django.urls import path

from workflows import task_views, views

urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("<int:task_id>/", task_views.task_page, name="task"),
    path("<int:task_id>/claim/", views.claim, name="task-claim"),
    path("<int:task_id>/release/", views.release, name="task-release"),
]
