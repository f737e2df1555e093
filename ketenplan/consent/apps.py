from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "ketenplan.consent"
    verbose_name = _("Consent and legal basis")

    def ready(self) -> None:
        from . import policy  # noqa: F401  (registers the consent access rules)
