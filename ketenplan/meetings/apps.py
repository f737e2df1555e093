from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "ketenplan.meetings"
    verbose_name = _("Meetings, consultations and escalations")

    def ready(self) -> None:
        from . import policy  # noqa: F401  (registers the meeting access rules)
