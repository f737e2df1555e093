from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "ketenplan.plans"
    verbose_name = _("Plans, execution and evaluation")

    def ready(self) -> None:
        from . import policy  # noqa: F401  (registers the plan access rules)
