"""Django's admin app, with the directory's own admin site (core.admin.site)."""

from django.contrib.admin.apps import AdminConfig


class DirectoryAdminConfig(AdminConfig):
    default_site = "core.admin.site.DirectoryAdminSite"
