"""The public pages. The exhibitor pages (views/exhibitors.py) keep the `exhibitors` namespace
their URL names have always had (config/urls.py)."""

from django.urls import path

from . import calendars
from .views import deals, exhibitors, expos, forums, home, search

exhibitor_patterns = [
    path("exhibitors/", exhibitors.ExhibitorListView.as_view(), name="exhibitor-list"),
    path("exhibitors/export.csv", exhibitors.ExhibitorCSVView.as_view(), name="exhibitor-csv"),
    path(
        "exhibitors/<slug:slug>/",
        exhibitors.ExhibitorDetailView.as_view(),
        name="exhibitor-detail",
    ),
]

app_name = "expos"
urlpatterns = [
    path("", home.home, name="home"),
    path("search/", search.search, name="search"),
    path("expos/", expos.ExpoListView.as_view(), name="expo-list"),
    path("expos/export.csv", expos.ExpoCSVView.as_view(), name="expo-csv"),
    path("expos/calendar.ics", calendars.expo_list_calendar, name="expo-list-calendar"),
    path("expos/<slug:slug>/", expos.ExpoDetailView.as_view(), name="expo-detail"),
    path(
        "expos/<slug:slug>/exhibitors.csv",
        expos.ExpoExhibitorCSVView.as_view(),
        name="expo-exhibitors-csv",
    ),
    path("expos/<slug:slug>/calendar.ics", calendars.expo_calendar, name="expo-calendar"),
    path("forums/", forums.ForumListView.as_view(), name="forum-list"),
    path("forums/export.csv", forums.ForumCSVView.as_view(), name="forum-csv"),
    path("forums/calendar.ics", calendars.forum_list_calendar, name="forum-list-calendar"),
    path("forums/<slug:slug>/", forums.ForumDetailView.as_view(), name="forum-detail"),
    path("forums/<slug:slug>/calendar.ics", calendars.forum_calendar, name="forum-calendar"),
    path("speakers/", forums.SpeakerListView.as_view(), name="speaker-list"),
    path("speakers/export.csv", forums.SpeakerCSVView.as_view(), name="speaker-csv"),
    path("speakers/<slug:slug>/", forums.SpeakerDetailView.as_view(), name="speaker-detail"),
    path("deals/", deals.DealListView.as_view(), name="deal-list"),
    path("deals/export.csv", deals.DealCSVView.as_view(), name="deal-csv"),
    path("deals/<slug:slug>/", deals.DealDetailView.as_view(), name="deal-detail"),
]
