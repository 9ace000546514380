from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExposConfig(AppConfig):
    name = "expos"
    verbose_name = _("Expos")
