"""Reading and checking the method data files: method profiles and the life-domain list.

Pure functions, no database: the data migration, the ``load_methods`` command, the
services and the admin form all use the same checks, so a file is judged the same way
wherever it comes in. A file that fails is refused as a whole with a list of *every*
problem found, each naming the field (``milestones[2].offset.unit``, items counted from 1)
and what is wrong with it.

The file format is described in ``profiles/README.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator

from ketenplan.accounts.models import Region

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_PROFILES_DIR = PACKAGE_DIR / "profiles"
SHIPPED_LIFE_DOMAINS = PACKAGE_DIR / "life_domains.yaml"
DEFAULT_PROFILE_KEY = "ketenaanpak-ifg"

# A definition is a page of text; anything much larger is a mistake or an attack.
MAX_DEFINITION_CHARS = 64 * 1024

UNITS = ("days", "weeks", "months", "years")
ANCHORS = ("registration", "plan_approved")
MILESTONE_KINDS = ("evaluation", "milestone")
CRITERION_KINDS = ("risk_score", "professional_judgement", "escalation")
KEY_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
KEY_MAX_LENGTH = 50
MAX_OFFSET_AMOUNT = 3650


Problem = tuple[list, str]  # (path of the field, what is wrong with it)


class DefinitionError(ValidationError):
    """A data file that is refused; ``messages`` lists every problem found."""

    def __init__(self, problems: list[str]):
        super().__init__(problems, code="invalid_definition")


# --- JSON Schemas -------------------------------------------------------------------------

_KEY = {"type": "string", "pattern": KEY_PATTERN, "maxLength": KEY_MAX_LENGTH}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}
_NAMES = {
    "type": "object",
    "required": ["nl", "en"],
    "additionalProperties": False,
    "properties": {"nl": _TEXT, "en": _TEXT},
}
_LONG_NAMES = {
    "type": "object",
    "required": ["nl", "en"],
    "additionalProperties": False,
    "properties": {
        "nl": {"type": "string", "minLength": 1, "maxLength": 2000},
        "en": {"type": "string", "minLength": 1, "maxLength": 2000},
    },
}


def _whole(minimum: int, maximum: int) -> dict:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


_MILESTONE = {
    "type": "object",
    "required": ["key", "name", "kind", "offset", "anchor"],
    "additionalProperties": False,
    "properties": {
        "key": _KEY,
        "name": _NAMES,
        "kind": {"enum": list(MILESTONE_KINDS)},
        "offset": {
            "type": "object",
            "required": ["amount", "unit"],
            "additionalProperties": False,
            "properties": {
                "amount": _whole(0, MAX_OFFSET_AMOUNT),
                "unit": {"enum": list(UNITS)},
            },
        },
        "anchor": {"enum": list(ANCHORS)},
    },
}

_CRITERION = {
    "type": "object",
    "required": ["key", "name", "kind"],
    "additionalProperties": False,
    "properties": {
        "key": _KEY,
        "name": _NAMES,
        "kind": {"enum": list(CRITERION_KINDS)},
        "instrument": _KEY,
        "minimum": _whole(0, 1000),
    },
    "if": {"properties": {"kind": {"const": "risk_score"}}, "required": ["kind"]},
    "then": {"required": ["instrument", "minimum"]},
}

_PARAMETERS = {
    "type": "object",
    "required": ["repeat_window_months"],
    "additionalProperties": False,
    "properties": {
        "repeat_window_months": _whole(1, 120),
        "escalation": {
            "type": "object",
            "required": ["incidents", "window_months"],
            "additionalProperties": False,
            "properties": {
                "incidents": _whole(1, 100),
                "window_months": _whole(1, 120),
            },
        },
        "meeting": {
            "type": "object",
            "required": ["frequency"],
            "additionalProperties": False,
            "properties": {
                "frequency": {
                    "type": "object",
                    "required": ["count", "per"],
                    "additionalProperties": False,
                    "properties": {
                        "count": _whole(1, 31),
                        "per": {"enum": ["week", "month"]},
                    },
                },
                "minutes_per_case": _whole(1, 240),
            },
        },
    },
}

PROFILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Ketenplan method profile",
    "type": "object",
    "required": ["key", "version", "name", "locale_hint", "milestones", "parameters"],
    "additionalProperties": False,
    "properties": {
        "key": _KEY,
        "version": _whole(1, 1_000_000),
        "name": _NAMES,
        "description": _LONG_NAMES,
        "source": {"type": "string", "maxLength": 500},
        "locale_hint": {"enum": list(Region.Locale.values)},
        "milestones": {"type": "array", "minItems": 1, "maxItems": 50, "items": _MILESTONE},
        "parameters": _PARAMETERS,
        "referral_criteria": {"type": "array", "maxItems": 20, "items": _CRITERION},
    },
}

LIFE_DOMAINS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Ketenplan life domains",
    "type": "object",
    "required": ["domains"],
    "additionalProperties": False,
    "properties": {
        "domains": {
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "additionalProperties": False,
                "properties": {"key": _KEY, "name": _NAMES},
            },
        },
    },
}


# --- Public entry points ------------------------------------------------------------------


def parse_profile(text: str) -> dict[str, Any]:
    """The profile definition in ``text`` (YAML), checked; or ``DefinitionError``."""
    data = read_yaml(text)
    _refuse_if_any(
        data,
        PROFILE_SCHEMA,
        _duplicate_keys(data, "milestones"),
        _duplicate_keys(data, "referral_criteria"),
        _criterion_problems(data),
    )
    return data


def parse_life_domains(text: str) -> list[dict[str, Any]]:
    """The life domains in ``text`` (YAML), in file order, checked; or ``DefinitionError``."""
    data = read_yaml(text)
    _refuse_if_any(data, LIFE_DOMAINS_SCHEMA, _duplicate_keys(data, "domains"))
    return data["domains"]


def is_life_domains_document(text: str) -> bool:
    """Whether a YAML text is a life-domain list (else it is taken for a profile)."""
    try:
        data = read_yaml(text)
    except DefinitionError:
        return False
    return isinstance(data, dict) and "domains" in data


def shipped_profile_paths() -> list[Path]:
    return sorted(SHIPPED_PROFILES_DIR.glob("*.yaml"))


def profile_fields(definition: dict[str, Any]) -> dict[str, Any]:
    """The ``MethodProfile`` columns a checked definition fills."""
    return {
        "name_nl": definition["name"]["nl"],
        "name_en": definition["name"]["en"],
        "version": definition["version"],
        "definition": definition,
    }


def life_domain_fields(position: int, domain: dict[str, Any]) -> dict[str, Any]:
    """The ``LifeDomain`` columns for the domain at ``position`` (0-based) of the list."""
    return {
        "name_nl": domain["name"]["nl"],
        "name_en": domain["name"]["en"],
        "order": (position + 1) * 10,
    }


# --- YAML ---------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, message: str, mark):
        super().__init__(message)
        self.message = message
        self.mark = mark


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that also refuses aliases (they can blow up into huge documents) and a
    key given twice in one mapping (PyYAML would silently keep the last)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(_("YAML aliases (*name) are not supported."), event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: set[str] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise _Refused(
                        _("the field “%(field)s” appears twice.") % {"field": key_node.value},
                        key_node.start_mark,
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def read_yaml(text: str) -> Any:
    if len(text) > MAX_DEFINITION_CHARS:
        raise DefinitionError(
            [_("The file is larger than %(limit)s KB.") % {"limit": MAX_DEFINITION_CHARS // 1024}]
        )
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506  (a SafeLoader subclass)
    except _Refused as exc:
        raise DefinitionError([_at_line(exc.mark, exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or ""
        raise DefinitionError(
            [_at_line(mark, _("this is not valid YAML (%(problem)s).") % {"problem": problem})]
        ) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([_("This is not valid YAML: %(error)s") % {"error": exc}]) from None


def _at_line(mark, message: str) -> str:
    if mark is None:
        return message
    return _("Line %(line)s, column %(column)s: %(message)s") % {
        "line": mark.line + 1,
        "column": mark.column + 1,
        "message": message,
    }


# --- Problems, in words -------------------------------------------------------------------


def field_path(path) -> str:
    """``["milestones", 1, "offset"]`` → ``milestones[2].offset`` (items counted from 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _type_name(name: str) -> str:
    return {
        "object": _("a set of fields"),
        "array": _("a list"),
        "string": _("text"),
        "integer": _("a whole number"),
        "number": _("a number"),
        "boolean": _("yes or no"),
    }.get(name, name)


def _value_type_name(value: Any) -> str:
    if isinstance(value, bool):
        return _type_name("boolean")
    if isinstance(value, int):
        return _type_name("integer")
    if isinstance(value, float):
        return _type_name("number")
    if isinstance(value, str):
        return _type_name("string")
    if isinstance(value, list):
        return _type_name("array")
    if isinstance(value, dict):
        return _type_name("object")
    if value is None:
        return _("nothing")
    return type(value).__name__


def _describe(error) -> list[Problem]:
    """One or more (path, message) pairs for a jsonschema error."""
    path = list(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind == "required":
        missing = [f for f in error.validator_value if isinstance(value, dict) and f not in value]
        return [([*path, f], _("this field is required but missing.")) for f in missing]
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        return [
            ([*path, str(f)], _("unknown field; allowed here: %(allowed)s.")
             % {"allowed": ", ".join(sorted(allowed))})
            for f in value
            if f not in allowed
        ]
    if kind == "enum":
        return [(path, _("“%(value)s” is not allowed; choose one of: %(choices)s.") % {
            "value": value, "choices": ", ".join(map(str, error.validator_value))})]
    if kind == "type":
        return [(path, _("must be %(expected)s, not %(actual)s.") % {
            "expected": _type_name(error.validator_value), "actual": _value_type_name(value)})]
    if kind == "minimum":
        if error.validator_value == 0:
            message = _("must not be negative (is %(value)s).") % {"value": value}
        else:
            message = _("must be at least %(limit)s (is %(value)s).") % {
                "limit": error.validator_value, "value": value}
        return [(path, message)]
    if kind == "maximum":
        return [(path, _("must be at most %(limit)s (is %(value)s).") % {
            "limit": error.validator_value, "value": value})]
    if kind == "minLength":
        return [(path, _("must not be empty."))]
    if kind == "maxLength":
        return [(path, _("must be at most %(limit)s characters long.") % {
            "limit": error.validator_value})]
    if kind == "minItems":
        return [(path, ngettext("needs at least %(count)s item.",
                                "needs at least %(count)s items.",
                                error.validator_value) % {"count": error.validator_value})]
    if kind == "maxItems":
        return [(path, _("has more than %(count)s items.") % {"count": error.validator_value})]
    if kind == "pattern":
        return [(path, _("“%(value)s” is not a valid key: use lower-case letters and digits, "
                         "joined by single hyphens or underscores.") % {"value": value})]
    return [(path, error.message)]


def _refuse_if_any(data: Any, schema: dict, *more: list[Problem]) -> None:
    """Raise ``DefinitionError`` with the schema's problems and ``more``, in field order."""
    if not isinstance(data, dict):
        raise DefinitionError(
            [_("The file must hold a set of fields (a YAML mapping) at the top level.")]
        )
    pairs = [pair for error in Draft202012Validator(schema).iter_errors(data)
             for pair in _describe(error)]
    for extra in more:
        pairs += extra
    problems = []
    for path, message in sorted(pairs, key=lambda pair: _sort_key(pair[0])):
        line = _located(path, message)
        if line not in problems:
            problems.append(line)
    if problems:
        raise DefinitionError(problems)


def _sort_key(path: list) -> list:
    return [(0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in path]


def _located(path: list, message: str) -> str:
    if not path:
        return message[:1].upper() + message[1:]
    return f"{field_path(path)}: {message}"


def _items(data: Any, list_name: str) -> list:
    items = data.get(list_name) if isinstance(data, dict) else None
    return items if isinstance(items, list) else []


def _duplicate_keys(data: Any, list_name: str) -> list[Problem]:
    first_at: dict[str, int] = {}
    problems = []
    for index, item in enumerate(_items(data, list_name)):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str):
            continue
        if key in first_at:
            problems.append((
                [list_name, index, "key"],
                _("“%(key)s” is already used by %(other)s; keys must be unique.")
                % {"key": key, "other": field_path([list_name, first_at[key]])},
            ))
        else:
            first_at[key] = index
    return problems


def _criterion_problems(data: Any) -> list[Problem]:
    problems = []
    parameters = data.get("parameters") if isinstance(data, dict) else None
    has_escalation = isinstance(parameters, dict) and "escalation" in parameters
    for index, item in enumerate(_items(data, "referral_criteria")):
        if not isinstance(item, dict):
            continue
        kind = item.get("kind")
        if kind in CRITERION_KINDS and kind != "risk_score":
            for extra in ("instrument", "minimum"):
                if extra in item:
                    problems.append((
                        ["referral_criteria", index, extra],
                        _("only a criterion of kind “risk_score” has this field."),
                    ))
        if kind == "escalation" and not has_escalation:
            problems.append((
                ["referral_criteria", index, "kind"],
                _("an escalation criterion needs parameters.escalation "
                  "(incidents and window_months)."),
            ))
    return problems
