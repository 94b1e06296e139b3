from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.retry, name="retry"),
    path("policy/", views.policy, name="policy"),
]
