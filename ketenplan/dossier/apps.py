from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierConfig(AppConfig):
    name = "ketenplan.dossier"
    verbose_name = _("Dossier")

    def ready(self) -> None:
        from . import policy  # noqa: F401  (registers the dossier access rules)
