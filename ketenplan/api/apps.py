from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ketenplan.api"
    verbose_name = "API"

    def ready(self) -> None:
        from . import policy  # noqa: F401
