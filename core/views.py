import sys

from django.contrib.auth.decorators import login_not_required
from django.db.utils import InterfaceError as DatabaseInterfaceError
from django.db.utils import OperationalError as DatabaseOperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import health
from core.middleware import is_api


@require_GET
@never_cache
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Each dependency and its state; 200 when all answer, 503 when one does not."""
    checks = health()
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    """An RFC 9457 problem body: the API answers JSON whatever went wrong."""
    response = JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )
    response["Cache-Control"] = "no-store"
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return _problem(403, "Forbidden", str(exception or "") or "Permission denied.")
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return _problem(404, "Not found", f"No API resource at {request.path}.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    database_down = isinstance(error, DatabaseOperationalError | DatabaseInterfaceError)
    if is_api(request):
        if database_down:
            response = _problem(
                503, "Service unavailable", "The database is not answering; try again shortly."
            )
            response["Retry-After"] = "30"
            return response
        return _problem(500, "Server error", "Something went wrong; it has been logged.")
    # Rendered without the request's context: the database may be what failed.
    return HttpResponse(
        loader.get_template("500.html").render({}), status=503 if database_down else 500
    )
