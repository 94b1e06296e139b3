"""The signed-in user's own settings page: their API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from api_tokens import selectors, services
from api_tokens.forms import TokenForm
from api_tokens.models import ApiToken
from core.errors import DomainError
from core.forms import add_domain_errors


def settings_page(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = ""
    new_token = None
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data["expires"]
        expires_at = (
            dt.datetime.combine(expires, dt.time.max, tzinfo=timezone.get_current_timezone())
            if expires
            else None
        )
        try:
            new_token, new_key = services.token_create(
                user=request.user,
                actor=request.user,
                name=form.cleaned_data["name"],
                expires_at=expires_at,
                read_only=form.cleaned_data["read_only"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "api_tokens/settings.html",
        {
            "form": form,
            "tokens": selectors.tokens_of(user=request.user),
            "new_key": new_key,
            "new_token": new_token,
            "read_only_forced": services.must_be_read_only(request.user),
            "now": timezone.now(),
        },
        status=400 if request.method == "POST" and not new_key else 200,
    )


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("api_tokens:settings")
