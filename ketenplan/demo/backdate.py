"""Backdating: the demo's histories, made realistic in time after they were told.

The story of every demo case is told through the real services, which all work *now*
and rightly refuse a due date in the past. While telling, each chapter notes when a thing
really happened (``History.happened``); once every story is told, ``backdate`` writes
those moments with plain ``QuerySet.update()`` calls. Nothing else is changed, and the
audit trail is left alone: it is append-only and records when the demo was loaded.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Model


class History:
    """The true moments of things created while the stories were told, per row."""

    def __init__(self) -> None:
        self._moments: dict[type[Model], dict[int, dict]] = defaultdict(dict)

    def happened(self, obj: Model, **fields) -> None:
        """Note the real values of ``fields`` of ``obj`` (a later note of the same field
        wins: the stage of a case changes many times, the last change counts)."""
        self._moments[type(obj)].setdefault(obj.pk, {}).update(fields)

    def noted(self, obj: Model, field: str, default=None):
        return self._moments[type(obj)].get(obj.pk, {}).get(field, default)

    def rows(self):
        """``(model, pk, fields)`` for every row with a noted moment."""
        for model, by_pk in self._moments.items():
            for pk, fields in by_pk.items():
                yield model, pk, fields

    def __len__(self) -> int:
        return sum(len(by_pk) for by_pk in self._moments.values())


def backdate(history: History) -> int:
    """Write every noted moment. Returns the number of rows changed."""
    changed = 0
    for model, pk, fields in history.rows():
        changed += model.objects.filter(pk=pk).update(**fields)
    return changed
