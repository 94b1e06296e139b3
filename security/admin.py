"""Accounts are managed by superusers only; administrators read the security log.

The Administrator role manages Accord's records, not accounts: it may look up users (to link
a person to one) but not add, change or delete users, groups or permissions, so it cannot
raise its own rights. Every account change made here is written to the security log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.urls import path

from core.admin import ReadOnlyAdmin
from core.exports import export_response
from security.choices import SecurityEventKind
from security.models import SecurityEvent
from security.services import record_event

User = get_user_model()


class SuperuserManagedAdmin(admin.ModelAdmin):
    """Only superusers add, change or delete; each change goes to the security log."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def log_addition(self, request, obj, message):
        self._record(request, obj, "added", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._record(request, obj, "changed", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._record(request, obj, "deleted", "")
        return super().log_deletions(request, queryset)

    def _record(self, request: HttpRequest, obj: Any, verb: str, message: Any) -> None:
        what = f"{obj._meta.verbose_name} {obj} (#{obj.pk}) {verb}"
        fields = ""
        if isinstance(message, list):
            changed = [
                field for part in message for field in part.get("changed", {}).get("fields", [])
            ]
            fields = f": {', '.join(changed)}" if changed else ""
        record_event(
            kind=SecurityEventKind.ACCOUNT_CHANGED,
            request=request,
            actor=request.user,
            detail=f"{what}{fields}",
        )


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AccountAdmin(SuperuserManagedAdmin, UserAdmin):
    pass


@admin.register(Group)
class RoleAdmin(SuperuserManagedAdmin, GroupAdmin):
    pass


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """The security log: read-only, filtered by kind, date, user and address; CSV export."""

    list_display = ["at", "kind", "username", "ip_address", "method", "path", "detail"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "ip_address", "path", "detail", "request_id"]
    date_hierarchy = "at"
    list_per_page = 100
    change_list_template = "admin/security/securityevent/change_list.html"

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_csv)
        return [
            path("export.csv", export, name="security_securityevent_export")
        ] + super().get_urls()

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        """The events the list shows with the same filters and search, every page, as CSV."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("viewing the security log needs security.view_securityevent")
        changelist = self.get_changelist_instance(request)
        rows = changelist.get_queryset(request)
        columns = [
            ("Time (UTC)", lambda e: e.at.strftime("%Y-%m-%d %H:%M:%S")),
            ("Kind", lambda e: e.get_kind_display()),
            ("Username", lambda e: e.username),
            ("Actor id", lambda e: e.actor_id),
            ("IP address", lambda e: e.ip_address),
            ("User agent", lambda e: e.user_agent),
            ("Request id", lambda e: e.request_id),
            ("Method", lambda e: e.method),
            ("Path", lambda e: e.path),
            ("Detail", lambda e: e.detail),
        ]
        return export_response(rows, columns, fmt="csv", filename="security-events")
