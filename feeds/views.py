"""Calendar feeds (opened by their secret URL, no sign-in) and the page that gives them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.views_helpers import get_or_404
from feeds import selectors, services
from feeds.ical import milestone_calendar

NOT_FOUND = "No calendar at this address: it may have been reset. Copy the current one from Accord."


def _calendar_response(name: str, milestones: object, filename: str) -> HttpResponse:
    body = milestone_calendar(name, milestones, now=timezone.now())  # type: ignore[arg-type]
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    return response


def _feed_user(token: str):  # type: ignore[no-untyped-def]
    feed = selectors.feed_for_token(token)
    if feed is None:
        raise Http404(NOT_FOUND)
    return feed.user


@login_not_required
@require_GET
@never_cache
def my_milestones_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = _feed_user(token)
    milestones = selectors.my_feed_milestones(user=user)
    return _calendar_response("Accord: my milestones", milestones, "my-milestones")


@login_not_required
@require_GET
@never_cache
def agreement_feed(request: HttpRequest, token: str, code: str) -> HttpResponse:
    user = _feed_user(token)
    agreement, milestones = get_or_404(lambda: selectors.agreement_feed(user=user, code=code))
    return _calendar_response(f"Accord: {agreement.title}", milestones, code)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def calendar_settings(request: HttpRequest) -> HttpResponse:
    feed = selectors.feed_of(user=request.user)
    context: dict[str, object] = {"feed": feed}
    if feed is not None:
        token = selectors.feed_token(feed)
        mine = _absolute(reverse("feeds:mine", args=[token]))
        context["mine_url"] = mine
        context["agreement_feeds"] = [
            {
                "agreement": agreement,
                "url": _absolute(reverse("feeds:agreement", args=[token, agreement.code])),
            }
            for agreement in selectors.agreements_with_feeds(user=request.user)
        ]
    return render(request, "feeds/calendar_settings.html", context)


@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    had_feed = selectors.feed_of(user=request.user) is not None
    try:
        services.calendar_feed_reset(actor=request.user, user=request.user)
    except DomainError as error:
        messages.error(request, " ".join(error.errors.values()))
    else:
        messages.success(
            request,
            "New calendar addresses made: the old ones no longer work."
            if had_feed
            else "Your calendar addresses are ready.",
        )
    return redirect("feeds:settings")
