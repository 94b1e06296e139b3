"""The signed-in person's own account: change password, sign out everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from security import sessions
from security.choices import SecurityEventKind
from security.services import record_event


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password ends every other session (Django's session hash changes)."""

    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions.start(self.request, self.request.user)
        record_event(
            kind=SecurityEventKind.PASSWORD_CHANGED, request=self.request, actor=self.request.user
        )
        messages.success(self.request, "Your password has been changed. Other sessions ended.")
        return response


@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The account page; POST signs out every other session of this user."""
    if request.method == "POST":
        ended = sessions.sign_out_everywhere(request=request)
        messages.success(
            request, f"Signed out everywhere else ({ended} other session{'s' * (ended != 1)})."
        )
        return redirect("account")
    return render(request, "security/account.html")
