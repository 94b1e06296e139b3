"""The one router of the REST API, mounted at /api/v1/. Each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from exchanges.api.views import SecondmentViewSet
from institutes.api.views import InstituteViewSet, PersonViewSet
from mou.api.views import (
    AgreementViewSet,
    ClauseViewSet,
    CommitmentViewSet,
    MilestoneViewSet,
    PartyViewSet,
    ProgressUpdateViewSet,
    SignatoryViewSet,
)
from reporting.api.views import ChangesReport, OverdueReport, SummaryReport

router = DefaultRouter()
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("parties", PartyViewSet, basename="party")
router.register("signatories", SignatoryViewSet, basename="signatory")
router.register("clauses", ClauseViewSet, basename="clause")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("progress-updates", ProgressUpdateViewSet, basename="progressupdate")
router.register("institutes", InstituteViewSet, basename="institute")
router.register("people", PersonViewSet, basename="person")
router.register("secondments", SecondmentViewSet, basename="secondment")

urlpatterns = [
    path("reports/summary/", SummaryReport.as_view(), name="report-summary"),
    path("reports/changes/", ChangesReport.as_view(), name="report-changes"),
    path("reports/overdue/", OverdueReport.as_view(), name="report-overdue"),
    *router.urls,
]
