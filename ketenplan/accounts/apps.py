from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ketenplan.accounts"
    verbose_name = _("Organisations and professionals")

    def ready(self) -> None:
        from . import policy, receivers  # noqa: F401  (access rules; security events)
