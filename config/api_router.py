"""The one router of the REST API, mounted at /api/v1/. Each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
