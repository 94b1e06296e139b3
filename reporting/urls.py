from django.urls import path

from reporting import agreement_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path(
        "agreements/<slug:code>/who-owes-what/",
        agreement_views.who_owes_what_page,
        name="who-owes-what",
    ),
    path("agreements/<slug:code>/timeline/", agreement_views.timeline_page, name="timeline"),
]
