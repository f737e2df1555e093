from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "ketenplan.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from . import policy  # noqa: F401  (registers the case access rules)
