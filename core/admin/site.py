"""The admin site: the directory's records first on its index and in its side bar, and the
accounts, API tokens and sign-in records apart, after them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# The apps of access and security: who may sign in, with what, and who tried.
ACCESS_APPS = ("auth", "authtoken", "axes")
# Apps whose own name says nothing to an editor (django-axes names none: "Axes").
APP_NAMES = {"axes": _("Sign-in attempts")}


class DirectoryAdminSite(admin.AdminSite):
    index_template = "admin/directory_index.html"
    access_title = _("Access and security")

    def get_app_list(self, request, app_label=None):
        """Django's list of apps (by name), the access apps moved to its end, each app named
        in the request's language."""
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["name"] = APP_NAMES.get(app["app_label"], app["name"])
        return sorted(apps, key=lambda app: app["app_label"] in ACCESS_APPS)

    def index(self, request, extra_context=None):
        apps = self.get_app_list(request)
        context = {
            "directory_apps": [app for app in apps if app["app_label"] not in ACCESS_APPS],
            "access_apps": [app for app in apps if app["app_label"] in ACCESS_APPS],
            "access_title": self.access_title,
            **(extra_context or {}),
        }
        return super().index(request, context)
