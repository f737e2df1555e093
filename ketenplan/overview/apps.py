from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    name = "ketenplan.overview"
    verbose_name = _("Overviews")

    def ready(self) -> None:
        from . import policy  # noqa: F401
