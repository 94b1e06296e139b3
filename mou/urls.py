from django.urls import path

from mou import views

app_name = "mou"

urlpatterns = [
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/new/", views.agreement_create, name="agreement-create"),
    path("agreements/<slug:code>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<slug:code>/edit/", views.agreement_edit, name="agreement-edit"),
    path(
        "agreements/<slug:code>/signatories/new/",
        views.signatory_create,
        name="signatory-create",
    ),
    path("agreements/<slug:code>/clauses/new/", views.clause_create, name="clause-create"),
    path("agreements/<slug:code>/clauses/<int:pk>/edit/", views.clause_edit, name="clause-edit"),
    path(
        "agreements/<slug:code>/commitments/new/",
        views.commitment_create,
        name="commitment-create",
    ),
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
    path("commitments/<int:pk>/withdraw/", views.commitment_withdraw, name="commitment-withdraw"),
    path("commitments/<int:pk>/milestones/", views.milestone_create, name="milestone-create"),
    path("commitments/<int:pk>/history/", views.commitment_history, name="commitment-history"),
    path("milestones/", views.milestone_list, name="milestone-list"),
    path("milestones/<int:pk>/", views.milestone_detail, name="milestone-detail"),
    path("milestones/<int:pk>/rename/", views.milestone_rename, name="milestone-rename"),
    path("milestones/<int:pk>/<slug:action>/", views.milestone_action, name="milestone-action"),
]
