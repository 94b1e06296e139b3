from django.urls import path

from exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("", views.secondment_list, name="secondment-list"),
    path("new/", views.secondment_create, name="secondment-create"),
    path("figures/", views.secondment_figures, name="secondment-figures"),
    path(
        "for-commitment/<int:commitment_id>/",
        views.commitment_secondments,
        name="commitment-secondments",
    ),
    path("<int:pk>/", views.secondment_detail, name="secondment-detail"),
    path("<int:pk>/edit/", views.secondment_edit, name="secondment-edit"),
    path("<int:pk>/<slug:action>/", views.secondment_action, name="secondment-action"),
]
