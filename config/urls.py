"""URL configuration: the admin now; the public pages and the API mount here too."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Smart-city expo directory")
admin.site.site_title = _("Expo directory admin")

urlpatterns = [
    path("admin/", admin.site.urls),
]
