from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

from api_tokens.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see and revoke tokens here; they cannot create one for anyone."""

    list_display = ["name", "user", "prefix", "read_only", "created_at", "expires_at",
                    "last_used_at", "revoked_at"]  # fmt: skip
    list_filter = ["read_only"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "name", "prefix", "read_only", "created_at", "expires_at",
                       "last_used_at"]  # fmt: skip
    fields = [*readonly_fields, "revoked_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


# DRF's own tokens keep keys in plain text and are not accepted by the API: hide them.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
