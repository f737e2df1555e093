from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PersonsConfig(AppConfig):
    name = "ketenplan.persons"
    verbose_name = _("Persons")

    def ready(self) -> None:
        from . import policy  # noqa: F401  (registers the person access rules)
        from .checks import check_name_data

        checks.register(check_name_data)
