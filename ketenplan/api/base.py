"""Small building blocks shared by the API modules of every app.

* ``valid(Serializer, request, **context)`` parses a request body with an explicit input
  serializer and raises the 400 answer naming the fields;
* ``may(user, action, obj)`` refuses a participant without the right with "forbidden",
  exactly as the web pages do (outsiders never get this far: the selectors answer "not
  found" first);
* ``EnumField`` is a choice field published in the OpenAPI schema as its own named enum
  component, so ``status`` or ``kind`` of different objects never collide;
* ``PersonRef`` (``{id, name}``) and ``name_of()`` name related objects in answers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from ketenplan.core import policy


def valid(serializer_class, request, **context) -> dict:
    """The request body parsed by ``serializer_class`` (context: the request and
    ``context``); a ``ValidationError`` (400, per field) otherwise."""
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def may(user, action: str | tuple[str, ...], obj) -> None:
    """Refuse with "forbidden" unless the user holds one of the rules on ``obj``.

    Call it after the object was read through a selector (which answers "not found" to
    outsiders): like the web pages, a participant without the right learns that they may
    not, an outsider learns nothing.
    """
    actions = (action,) if isinstance(action, str) else action
    if not any(policy.can(user, a, obj) for a in actions):
        raise PermissionDenied


class EnumField(serializers.ChoiceField):
    """A choice field from a ``TextChoices`` class (or a subset of its members), shown in
    the schema as the enum component ``<name>Enum``."""

    def __init__(self, choices, *, name: str, **kwargs):
        members = list(choices)
        self.enum_name = f"{name}Enum"
        self.enum_values = [m.value for m in members]
        super().__init__(choices=[(m.value, m.label) for m in members], **kwargs)


class EnumFieldSchema(OpenApiSerializerFieldExtension):
    target_class = EnumField
    match_subclasses = True

    def get_name(self):
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        values = list(self.target.enum_values)
        if self.target.allow_blank:
            values.append("")
        return {"type": "string", "enum": values}


class PersonRef(serializers.Serializer):
    """A family member named in an answer."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


def name_of(**kwargs) -> serializers.StringRelatedField:
    """How people call a related object (a professional, an organisation), or null."""
    return serializers.StringRelatedField(allow_null=True, **kwargs)
