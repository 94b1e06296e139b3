from django.urls import path

from api_tokens import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("tokens/<int:pk>/revoke/", views.revoke, name="revoke"),
]
