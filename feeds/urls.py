from django.urls import path

from feeds import views

app_name = "feeds"

urlpatterns = [
    path("settings/calendar/", views.calendar_settings, name="settings"),
    path("settings/calendar/reset/", views.calendar_reset, name="reset"),
    path("calendar/<str:token>/mine.ics", views.my_milestones_feed, name="mine"),
    path("calendar/<str:token>/agreements/<slug:code>.ics", views.agreement_feed, name="agreement"),
]
