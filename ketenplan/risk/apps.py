from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "ketenplan.risk"
    verbose_name = _("Risk weighing and the reporting code")

    def ready(self) -> None:
        from . import policy  # noqa: F401  (registers the risk and reporting-code access rules)
