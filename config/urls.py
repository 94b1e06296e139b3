from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views
from reporting import views as reporting_views

urlpatterns = [
    path("", reporting_views.dashboard, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("security.urls")),
    path("admin/", admin.site.urls),
    path("", include("mou.urls")),
    path("exchanges/", include("exchanges.urls")),
    path("reminders/", include("reminders.urls")),
    path("reports/", include("reporting.urls")),
    path("", include("feeds.urls")),
    path("search/", include("search.urls")),
    path("settings/", include("api_tokens.urls")),
    path("api/v1/", include("config.api_router")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/docs.html"
            )
        ),
        name="api-docs",
    ),
]

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
