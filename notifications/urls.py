from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.inbox, name="notifications"),
    path("<int:notification_id>/read/", views.mark_read, name="notification-read"),
    path("read-all/", views.mark_all_read, name="notifications-read-all"),
    path("preferences/", views.preferences, name="notification-preferences"),
]
