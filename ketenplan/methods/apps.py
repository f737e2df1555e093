from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MethodsConfig(AppConfig):
    name = "ketenplan.methods"
    verbose_name = _("Method profiles and life domains")
