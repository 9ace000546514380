from django.urls import path

from . import views

app_name = "exhibitors"
urlpatterns = [
    path("exhibitors/", views.ExhibitorListView.as_view(), name="exhibitor-list"),
    path("exhibitors/export.csv", views.ExhibitorCSVView.as_view(), name="exhibitor-csv"),
    path("exhibitors/<slug:slug>/", views.ExhibitorDetailView.as_view(), name="exhibitor-detail"),
]
