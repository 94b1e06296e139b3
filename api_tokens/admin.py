from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.authtoken.models import TokenProxy

from api_tokens.models import ApiToken
from api_tokens.services import token_revoke
from core.admin import ReadOnlyAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Administrators see tokens and revoke them (through the service); nobody creates one
    for anyone else, and nobody edits one."""

    list_display = ["name", "user", "prefix", "read_only", "created_at", "expires_at",
                    "last_used_at", "revoked_at"]  # fmt: skip
    list_filter = ["read_only"]
    search_fields = ["name", "user__username", "prefix"]
    actions = ["revoke"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False)) or super().has_view_permission(
            request, obj
        )

    def get_actions(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # ReadOnlyAdmin offers no change rights, which hides actions: offer revoking to
        # superusers, through the service.
        actions = super().get_actions(request, *args, **kwargs)
        if getattr(request.user, "is_superuser", False):
            actions["revoke"] = self.get_action("revoke")
        return actions

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token_revoke(token=token, actor=request.user)
        self.message_user(request, f"{queryset.count()} token(s) revoked.")


# DRF's own tokens keep keys in plain text and are not accepted by the API: hide them.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
