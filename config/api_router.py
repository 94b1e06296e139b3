"""The one router of the REST API, mounted at /api/v1/. Each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from exchanges.api.views import SecondmentViewSet
from mou.api.views import AgreementViewSet, CommitmentViewSet, MilestoneViewSet

router = DefaultRouter()
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("secondments", SecondmentViewSet, basename="secondment")

urlpatterns = router.urls
