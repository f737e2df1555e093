"""Exceptions that every app may raise and every surface (views, API) knows how to show."""

from __future__ import annotations

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _


class ConflictError(Exception):
    """Someone else saved the record after the user read it (optimistic locking).

    Raised by a service that finds the stored ``version`` no longer equal to the version
    the user edited; nothing has been written. The message names who changed the record
    and when, so the user can review the other change and retry::

        raise ConflictError(changed_by=record.updated_by, changed_at=record.updated_at)

    Views show ``str(error)``; the API answers 409 Conflict with the same text. The
    message is translated when it is read, in the language active at that moment.
    """

    def __init__(
        self,
        *,
        changed_by=None,
        changed_at: datetime | None = None,
        current_version: int | None = None,
    ):
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = current_version
        super().__init__(changed_by, changed_at, current_version)

    @property
    def message(self) -> str:
        who = str(self.changed_by) if self.changed_by else _("someone else")
        if self.changed_at is None:
            return _(
                "This record was changed by %(who)s in the meantime. Review the changes and try again."
            ) % {"who": who}
        when = self.changed_at
        if timezone.is_aware(when):
            when = timezone.localtime(when)
        return _("This record was changed by %(who)s at %(when)s. Review the changes and try again.") % {
            "who": who,
            "when": formats.date_format(when, "SHORT_DATETIME_FORMAT"),
        }

    def __str__(self) -> str:
        return self.message
