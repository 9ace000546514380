"""URL configuration: the public pages in English at /… and in Spanish at /es/…, the API, and
the admin."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core.http.health import ReadinessView, live
from expos.urls import exhibitor_patterns

admin.site.site_header = _("Smart-city expo directory")
admin.site.site_title = _("Expo directory admin")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("config.api")),
    # For a load balancer: no language prefix, no throttle, no sign-in (core/health.py).
    path("health/live/", live, name="health-live"),
    path("health/ready/", ReadinessView.as_view(), name="health-ready"),
]
urlpatterns += i18n_patterns(
    path("", include((exhibitor_patterns, "exhibitors"))),
    path("", include("expos.urls")),
    prefix_default_language=False,
)

handler404 = "core.lists.views.page_not_found"
handler500 = "core.lists.views.server_error"
handler400 = "core.lists.views.bad_request"
handler403 = "core.lists.views.permission_denied"
