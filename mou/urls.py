from django.urls import path

from mou import views

app_name = "mou"

urlpatterns = [
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/<slug:code>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<slug:code>/history/", views.agreement_history, name="agreement-history"),
    path("commitments/", views.commitment_list, name="commitment-list"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment-detail"),
    path("commitments/<int:pk>/edit/", views.commitment_edit, name="commitment-edit"),
    path(
        "commitments/<int:pk>/transition/",
        views.commitment_transition,
        name="commitment-transition",
    ),
    path(
        "commitments/<int:pk>/updates/", views.progress_update_create, name="progress-update-create"
    ),
    path("commitments/<int:pk>/history/", views.commitment_history, name="commitment-history"),
    path("milestones/", views.milestone_list, name="milestone-list"),
    path("milestones/<int:pk>/", views.milestone_detail, name="milestone-detail"),
    path("milestones/<int:pk>/<slug:action>/", views.milestone_action, name="milestone-action"),
]
