from django.contrib import admin

from core.admin import ReadOnlyAdmin
from reminders.models import Digest, Reminder


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """Read-only: reminders are made by the scan and changed by delivery or their pages."""

    list_display = ["kind", "recipient", "local_date", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__name", "recipient__email", "milestone__title", "agreement__title"]
    list_select_related = ["recipient", "milestone", "agreement"]
    date_hierarchy = "local_date"


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    """Read-only: a digest is the record of what was e-mailed."""

    list_display = ["recipient", "local_date", "sent_at", "message_id"]
    search_fields = ["recipient__name", "recipient__email"]
    list_select_related = ["recipient"]
