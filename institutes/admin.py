from django.contrib import admin

from core.admin import AttributedAdmin
from institutes.models import Institute, Person


class PersonInline(admin.TabularInline):
    model = Person
    fields = ["name", "email", "job_title", "time_zone", "is_contact", "email_reminders"]
    extra = 0
    show_change_link = True


@admin.register(Institute)
class InstituteAdmin(AttributedAdmin):
    list_display = ["name", "short_name", "country", "parent_department", "time_zone"]
    list_filter = ["country"]
    search_fields = ["name", "short_name", "parent_department"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [PersonInline]


@admin.register(Person)
class PersonAdmin(AttributedAdmin):
    list_display = ["name", "institute", "email", "job_title", "time_zone", "user", "is_contact"]
    list_filter = ["institute", "is_contact", "email_reminders", "is_illustrative"]
    search_fields = ["name", "email", "job_title", "user__username"]
    autocomplete_fields = ["manager", "user"]
    list_select_related = ["institute", "user"]
    readonly_fields = ["version", "created_at", "updated_at"]
