from django.urls import path

from security import views

urlpatterns = [
    path("", views.account, name="account"),
    path(
        "password/",
        views.PasswordChangeView.as_view(template_name="security/password_change.html"),
        name="password_change",
    ),
]
