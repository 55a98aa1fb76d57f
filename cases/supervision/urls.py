from django.urls import path

from cases.supervision import views

urlpatterns = [
    path("supervision/", views.deadline_board, name="deadline-board"),
    path("supervision/cases/<int:case_id>/order/", views.issue_order, name="supervision-issue"),
    path("supervision/orders/", views.order_list, name="supervision-orders"),
    path("supervision/orders/<int:order_id>/", views.order_respond, name="supervision-order"),
]
