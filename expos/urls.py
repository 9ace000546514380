from django.urls import path

from . import calendars, views

app_name = "expos"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("expos/", views.ExpoListView.as_view(), name="expo-list"),
    path("expos/export.csv", views.ExpoCSVView.as_view(), name="expo-csv"),
    path("expos/calendar.ics", calendars.expo_list_calendar, name="expo-list-calendar"),
    path("expos/<slug:slug>/", views.ExpoDetailView.as_view(), name="expo-detail"),
    path("expos/<slug:slug>/calendar.ics", calendars.expo_calendar, name="expo-calendar"),
    path("forums/", views.ForumListView.as_view(), name="forum-list"),
    path("forums/export.csv", views.ForumCSVView.as_view(), name="forum-csv"),
    path("forums/calendar.ics", calendars.forum_list_calendar, name="forum-list-calendar"),
    path("forums/<slug:slug>/", views.ForumDetailView.as_view(), name="forum-detail"),
    path("speakers/", views.SpeakerListView.as_view(), name="speaker-list"),
    path("speakers/export.csv", views.SpeakerCSVView.as_view(), name="speaker-csv"),
    path("speakers/<slug:slug>/", views.SpeakerDetailView.as_view(), name="speaker-detail"),
    path("deals/", views.DealListView.as_view(), name="deal-list"),
    path("deals/export.csv", views.DealCSVView.as_view(), name="deal-csv"),
    path("deals/<slug:slug>/", views.DealDetailView.as_view(), name="deal-detail"),
]
