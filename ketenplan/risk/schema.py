"""Reading and checking risk-instrument files.

Pure functions, no database: the data migration, the ``load_instruments`` command, the
services and the admin form all judge a file the same way. A file that fails is refused
as a whole with a list of *every* problem, each with the line it is on, the field
(``sections[2].items[3].help.en``, items counted from 1), the item id where there is one,
and what is wrong.

Beyond the JSON Schema, the checks that make an instrument usable: item ids unique across
the instrument; bands without gaps or overlaps that cover every score the instrument can
give; triggers that can fire and can change the outcome; the professional-judgement rule
(may raise, never lower, with a reason). The format is described in
``instruments/README.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_DIR = PACKAGE_DIR / "instruments"

MAX_DEFINITION_CHARS = 256 * 1024
KEY_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
KEY_MAX_LENGTH = 50

ITEM_TYPES = ("yes_no_unknown", "single_choice", "number", "text")
YES_NO_UNKNOWN = ("yes", "no", "unknown")
UNKNOWN = "unknown"
LEVELS = ("low", "medium", "high")
SCORING_METHODS = ("count", "points")
EFFECTS = ("force", "flag")

Problem = tuple[list, str]


class InstrumentError(ValidationError):
    """An instrument file that is refused; ``messages`` lists every problem found."""

    def __init__(self, problems: list[str]):
        super().__init__(problems, code="invalid_instrument")


# --- JSON Schema -------------------------------------------------------------------------

_KEY = {"type": "string", "pattern": KEY_PATTERN, "maxLength": KEY_MAX_LENGTH}
_SCORE = {"type": "integer", "minimum": -1000, "maximum": 100_000}


def _texts(max_length: int) -> dict:
    text = {"type": "string", "minLength": 1, "maxLength": max_length}
    return {
        "type": "object",
        "required": ["nl", "en"],
        "additionalProperties": False,
        "properties": {"nl": text, "en": text},
    }


_NAME = _texts(200)
_LONG = _texts(4000)

_OPTION = {
    "type": "object",
    "required": ["value", "label"],
    "additionalProperties": False,
    "properties": {"value": _KEY, "label": _NAME, "points": _SCORE},
}

_ITEM = {
    "type": "object",
    "required": ["id", "type", "text", "help"],
    "additionalProperties": False,
    "properties": {
        "id": _KEY,
        "type": {"enum": list(ITEM_TYPES)},
        "text": _texts(500),
        "help": _LONG,
        "required": {"type": "boolean"},
        "points": {
            "type": "object",
            "additionalProperties": False,
            "properties": dict.fromkeys(YES_NO_UNKNOWN, _SCORE),
        },
        "options": {"type": "array", "minItems": 2, "maxItems": 20, "items": _OPTION},
        "allow_unknown": {"type": "boolean"},
        "min": _SCORE,
        "max": _SCORE,
        "points_per_unit": {"type": "integer", "minimum": -100, "maximum": 100},
    },
}

_SECTION = {
    "type": "object",
    "required": ["key", "name", "items"],
    "additionalProperties": False,
    "properties": {
        "key": _KEY,
        "name": _NAME,
        "intro": _LONG,
        "items": {"type": "array", "minItems": 1, "maxItems": 100, "items": _ITEM},
    },
}

_BAND = {
    "type": "object",
    "required": ["key", "name", "level", "min"],
    "additionalProperties": False,
    "properties": {
        "key": _KEY,
        "name": _NAME,
        "level": {"enum": list(LEVELS)},
        "advice": _LONG,
        "min": _SCORE,
        "max": _SCORE,
    },
}

_TRIGGER = {
    "type": "object",
    "required": ["key", "when", "effect", "band", "note"],
    "additionalProperties": False,
    "properties": {
        "key": _KEY,
        "when": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "item": _KEY,
                "section": _KEY,
                "answer": _KEY,
                "at_least": {"type": "integer", "minimum": 1, "maximum": 100_000},
            },
        },
        "effect": {"enum": list(EFFECTS)},
        "band": _KEY,
        "note": _NAME,
    },
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Ketenplan risk instrument",
    "type": "object",
    "required": ["key", "version", "name", "scoring", "bands", "sections", "judgement"],
    "additionalProperties": False,
    "properties": {
        "key": _KEY,
        "version": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        "name": _NAME,
        "description": _LONG,
        "source": {"type": "string", "maxLength": 500},
        "scoring": {
            "type": "object",
            "required": ["method"],
            "additionalProperties": False,
            "properties": {
                "method": {"enum": list(SCORING_METHODS)},
                "count": {"type": "array", "minItems": 1, "maxItems": 20, "items": _KEY},
            },
        },
        "bands": {"type": "array", "minItems": 2, "maxItems": 10, "items": _BAND},
        "sections": {"type": "array", "minItems": 1, "maxItems": 30, "items": _SECTION},
        "triggers": {"type": "array", "maxItems": 100, "items": _TRIGGER},
        "judgement": {
            "type": "object",
            "required": ["may_raise", "may_lower", "reason_required"],
            "additionalProperties": False,
            "properties": {
                "may_raise": {"const": True},
                "may_lower": {"const": False},
                "reason_required": {"const": True},
            },
        },
    },
}


# --- Entry points ------------------------------------------------------------------------


def parse(text: str) -> dict[str, Any]:
    """The instrument defined by the YAML ``text``, checked; or ``InstrumentError``."""
    data, root = _read(text)
    if not isinstance(data, dict):
        raise InstrumentError(
            [_("The file must hold a set of fields (a YAML mapping) at the top level.")]
        )
    pairs: list[Problem] = []
    for error in Draft202012Validator(SCHEMA).iter_errors(data):
        pairs += _describe(error)
    pairs += _semantic_problems(data)
    if pairs:
        raise InstrumentError(_render(pairs, data, root))
    return data


def shipped_paths() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.yaml"))


# --- YAML, with the line of every node ---------------------------------------------------


class _Refused(Exception):
    def __init__(self, message: str, mark):
        super().__init__(message)
        self.message = message
        self.mark = mark


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML without aliases (they can blow up into huge documents) and without a key
    given twice in one mapping (PyYAML would silently keep the last)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise _Refused(_("YAML aliases (*name) are not supported."), self.peek_event().start_mark)
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


# YAML 1.2 booleans only: in an instrument "yes", "no", "on" and "off" are answers, not
# true and false (PyYAML follows YAML 1.1 and would turn ``answer: yes`` into true).
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _StrictLoader.yaml_implicit_resolvers.setdefault(_first, []).insert(
        0, ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"))
    )


def _read(text: str):
    if len(text) > MAX_DEFINITION_CHARS:
        raise InstrumentError(
            [_("The file is larger than %(limit)s KB.") % {"limit": MAX_DEFINITION_CHARS // 1024}]
        )
    try:
        loader = _StrictLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except _Refused as exc:
        raise InstrumentError([_line_message(exc.mark.line + 1, exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or ""
        message = _("this is not valid YAML (%(problem)s).") % {"problem": problem}
        raise InstrumentError(
            [_line_message(mark.line + 1, message) if mark else message]
        ) from None
    except yaml.YAMLError as exc:
        raise InstrumentError([_("This is not valid YAML: %(error)s") % {"error": exc}]) from None
    return data, root


def _line_message(line: int, message: str) -> str:
    return _("Line %(line)s: %(message)s") % {"line": line, "message": message}


def _node_line(root, path: list) -> int | None:
    """The line of the node at ``path``; for a missing field, the line of its parent."""
    node = root
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key_node, value_node in node.value:
                if getattr(key_node, "value", None) == part:
                    child = value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1 if node is not None else None


def field_path(path) -> str:
    """``["sections", 1, "items", 0, "help"]`` → ``sections[2].items[1].help``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _item_id_at(data, path: list) -> str | None:
    """The id of the item the path lies in, if any."""
    if len(path) >= 4 and path[0] == "sections" and path[2] == "items":
        try:
            item = data["sections"][path[1]]["items"][path[3]]
        except (KeyError, IndexError, TypeError):
            return None
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            return item["id"]
    return None


def _sort_key(path) -> tuple:
    return tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in path)


def _render(pairs: list[Problem], data, root) -> list[str]:
    problems: list[tuple[int, tuple, str]] = []
    seen: set[str] = set()
    for path, message in pairs:
        where = field_path(path) or _("the file")
        item_id = _item_id_at(data, path)
        if item_id:
            where = _("%(field)s (item “%(item)s”)") % {"field": where, "item": item_id}
        line = _node_line(root, path) or 1
        text = _("Line %(line)s: %(field)s: %(message)s") % {
            "line": line,
            "field": where,
            "message": message,
        }
        if text not in seen:
            seen.add(text)
            problems.append((line, _sort_key(path), text))
    return [text for _line, _key, text in sorted(problems, key=lambda p: (p[0], p[1]))]


# --- Schema problems in words ------------------------------------------------------------


def _type_name(name: str) -> str:
    return {
        "object": _("a set of fields"),
        "array": _("a list"),
        "string": _("text"),
        "integer": _("a whole number"),
        "number": _("a number"),
        "boolean": _("yes or no (true/false)"),
    }.get(name, name)


def _value_type_name(value: Any) -> str:
    for kind, name in (
        (bool, "boolean"),
        (int, "integer"),
        (float, "number"),
        (str, "string"),
        (list, "array"),
        (dict, "object"),
    ):
        if isinstance(value, kind):
            return _type_name(name)
    return _("nothing") if value is None else type(value).__name__


def _describe(error) -> list[Problem]:
    path = list(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind == "required":
        missing = [f for f in error.validator_value if isinstance(value, dict) and f not in value]
        if path and path[-1] in ("text", "help", "name", "note", "label", "intro", "description", "advice"):
            return [
                ([*path, f], _("the translation in “%(language)s” is missing.") % {"language": f})
                for f in missing
            ]
        return [([*path, f], _("this field is required but missing.")) for f in missing]
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return [
            ([*path, str(f)],
             _("unknown field; allowed here: %(allowed)s.") % {"allowed": ", ".join(allowed)})
            for f in value
            if f not in allowed
        ]
    if kind == "enum":
        if path and path[-1] == "type":
            return [(path, _("unknown item type “%(value)s”; choose one of: %(choices)s.") % {
                "value": value, "choices": ", ".join(error.validator_value)})]
        return [(path, _("“%(value)s” is not allowed; choose one of: %(choices)s.") % {
            "value": value, "choices": ", ".join(map(str, error.validator_value))})]
    if kind == "const":
        return [(path, _("must be %(value)s: professional judgement may raise a band, never "
                         "lower it, and always with a reason.") % {
            "value": str(error.validator_value).lower()})]
    if kind == "type":
        return [(path, _("must be %(expected)s, not %(actual)s.") % {
            "expected": _type_name(error.validator_value), "actual": _value_type_name(value)})]
    if kind == "minimum":
        return [(path, _("must be at least %(limit)s (is %(value)s).") % {
            "limit": error.validator_value, "value": value})]
    if kind == "maximum":
        return [(path, _("must be at most %(limit)s (is %(value)s).") % {
            "limit": error.validator_value, "value": value})]
    if kind == "minLength":
        return [(path, _("must not be empty."))]
    if kind == "maxLength":
        return [(path, _("must be at most %(limit)s characters long.") % {"limit": error.validator_value})]
    if kind == "minItems":
        return [(path, ngettext("needs at least %(count)s item.", "needs at least %(count)s items.",
                                error.validator_value) % {"count": error.validator_value})]
    if kind == "maxItems":
        return [(path, _("has more than %(count)s items.") % {"count": error.validator_value})]
    if kind == "pattern":
        return [(path, _("“%(value)s” is not a valid key: use lower-case letters and digits, "
                         "joined by single hyphens or underscores.") % {"value": value})]
    return [(path, error.message)]


# --- The instrument as a whole -----------------------------------------------------------


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def iter_items(definition: dict):
    """``(section_index, item_index, section, item)`` for every well-formed item."""
    for s_index, section in enumerate(_list(definition.get("sections"))):
        if not isinstance(section, dict):
            continue
        for i_index, item in enumerate(_list(section.get("items"))):
            if isinstance(item, dict):
                yield s_index, i_index, section, item


def possible_answers(item: dict) -> set:
    """The answers an item can be given that scoring and triggers can look at."""
    kind = item.get("type")
    if kind == "yes_no_unknown":
        return set(YES_NO_UNKNOWN)
    if kind == "single_choice":
        values = {
            o["value"]
            for o in _list(item.get("options"))
            if isinstance(o, dict) and isinstance(o.get("value"), str)
        }
        if item.get("allow_unknown"):
            values.add(UNKNOWN)
        return values
    if kind == "number" and item.get("allow_unknown"):
        return {UNKNOWN}
    return set()


def is_required(item: dict) -> bool:
    return bool(item.get("required", item.get("type") != "text"))


def item_points(definition: dict, item: dict) -> list[int]:
    """Every score contribution the item can make (0 when it may be left empty or is
    answered with something that earns nothing)."""
    method = _dict(definition.get("scoring")).get("method")
    kind = item.get("type")
    values: set[int] = set()
    if not is_required(item) or kind == "text":
        values.add(0)
    if method == "count":
        counted = {c for c in _list(_dict(definition.get("scoring")).get("count")) if isinstance(c, str)}
        answers = possible_answers(item)
        if answers & counted:
            values.add(1)
        if answers - counted or kind == "number":
            values.add(0)
        return sorted(values or {0})
    if kind == "yes_no_unknown":
        points = _dict(item.get("points"))
        values |= {points.get(a, 0) if isinstance(points.get(a, 0), int) else 0 for a in YES_NO_UNKNOWN}
    elif kind == "single_choice":
        for option in _list(item.get("options")):
            if isinstance(option, dict):
                points = option.get("points", 0)
                values.add(points if isinstance(points, int) else 0)
        if item.get("allow_unknown"):
            values.add(0)
    elif kind == "number":
        per_unit = item.get("points_per_unit", 0)
        low, high = item.get("min"), item.get("max")
        if isinstance(per_unit, int) and isinstance(low, int) and isinstance(high, int):
            values |= {per_unit * low, per_unit * high}
        else:
            values.add(0)
        if item.get("allow_unknown"):
            values.add(0)
    return sorted(values or {0})


def score_range(definition: dict) -> tuple[int, int]:
    """The lowest and the highest score the instrument can give."""
    low = high = 0
    for _s, _i, _section, item in iter_items(definition):
        points = item_points(definition, item)
        low += min(points)
        high += max(points)
    return low, high


@dataclass
class _Context:
    data: dict
    problems: list

    def add(self, path: list, message: str) -> None:
        self.problems.append((path, message))


def _semantic_problems(data: dict) -> list[Problem]:
    ctx = _Context(data, [])
    _check_unique(ctx)
    items = _check_items(ctx)
    _check_scoring(ctx, items)
    _check_bands(ctx)
    _check_triggers(ctx, items)
    return ctx.problems


def _check_unique(ctx: _Context) -> None:
    def unique(listing: str, field: str, label: str, path_prefix=(), entries=None) -> None:
        first: dict = {}
        for index, entry in enumerate(entries if entries is not None else _list(ctx.data.get(listing))):
            if not isinstance(entry, dict) or not isinstance(entry.get(field), str):
                continue
            value = entry[field]
            if value in first:
                ctx.add([*path_prefix, listing, index, field], _(
                    "the %(what)s “%(value)s” is used twice (first as %(first)s)."
                ) % {"what": label, "value": value,
                     "first": field_path([*path_prefix, listing, first[value]])})
            else:
                first[value] = index

    unique("sections", "key", _("section key"))
    unique("bands", "key", _("band key"))
    unique("triggers", "key", _("trigger key"))
    seen: dict[str, list] = {}
    for s_index, i_index, _section, item in iter_items(ctx.data):
        item_id = item.get("id")
        if not isinstance(item_id, str):
            continue
        here = ["sections", s_index, "items", i_index, "id"]
        if item_id in seen:
            ctx.add(here, _("duplicate item id “%(id)s” (first used at %(first)s).") % {
                "id": item_id, "first": field_path(seen[item_id][:-1])})
        else:
            seen[item_id] = here
        unique("options", "value", _("option value"), ("sections", s_index, "items", i_index),
               _list(item.get("options")))


def _check_items(ctx: _Context) -> dict[str, tuple[list, dict]]:
    """Type-specific rules per item; returns the items by id (first occurrence)."""
    by_id: dict[str, tuple[list, dict]] = {}
    method = _dict(ctx.data.get("scoring")).get("method")
    for s_index, i_index, _section, item in iter_items(ctx.data):
        path = ["sections", s_index, "items", i_index]
        kind = item.get("type")
        if isinstance(item.get("id"), str):
            by_id.setdefault(item["id"], (path, item))

        def only(fields, types, why, item=item, kind=kind, path=path):
            for name in fields:
                if name in item and kind not in types:
                    ctx.add([*path, name], why)

        only(["options"], ("single_choice",), _("only a single-choice item has options."))
        only(["min", "max", "points_per_unit"], ("number",), _("only a number item has this field."))
        only(["allow_unknown"], ("single_choice", "number"),
             _("only single-choice and number items have this field (yes/no/unknown items "
               "always allow “unknown”)."))
        only(["points"], ("yes_no_unknown",),
             _("only a yes/no/unknown item has points per answer; single-choice options "
               "carry their own points."))
        if kind == "single_choice" and "options" not in item:
            ctx.add([*path, "options"], _("a single-choice item needs its options."))
        if kind == "number":
            for name in ("min", "max"):
                if name not in item:
                    ctx.add([*path, name], _("a number item needs a minimum and a maximum."))
            low, high = item.get("min"), item.get("max")
            if isinstance(low, int) and isinstance(high, int) and low >= high:
                ctx.add([*path, "max"], _("the maximum (%(max)s) must be above the minimum (%(min)s).")
                        % {"max": high, "min": low})
        if kind == "text" and item.get("required"):
            ctx.add([*path, "required"], _("a free-text item cannot be required: it does not count "
                                           "towards the score."))
        if method == "count":
            if "points" in item or "points_per_unit" in item:
                ctx.add([*path, "points" if "points" in item else "points_per_unit"],
                        _("this instrument counts answers (scoring.method: count); points are "
                          "not used."))
            for o_index, option in enumerate(_list(item.get("options"))):
                if isinstance(option, dict) and "points" in option:
                    ctx.add([*path, "options", o_index, "points"],
                            _("this instrument counts answers (scoring.method: count); points "
                              "are not used."))
    return by_id


def _check_scoring(ctx: _Context, items: dict) -> None:
    scoring = _dict(ctx.data.get("scoring"))
    method = scoring.get("method")
    if method == "count":
        counted = _list(scoring.get("count"))
        if "count" not in scoring:
            ctx.add(["scoring", "count"], _("say which answers are counted, e.g. [yes]."))
        possible = set()
        for _path, item in items.values():
            possible |= possible_answers(item)
        for index, value in enumerate(counted):
            if isinstance(value, str) and value not in possible:
                ctx.add(["scoring", "count", index],
                        _("no item can be answered “%(value)s”, so it is never counted.") % {"value": value})
    elif method == "points" and "count" in scoring:
        ctx.add(["scoring", "count"], _("only an instrument that counts answers has this field."))


def _check_bands(ctx: _Context) -> None:
    bands = list(_list(ctx.data.get("bands")))
    if not bands or not all(isinstance(b, dict) and isinstance(b.get("min"), int) for b in bands):
        return
    low_score, high_score = score_range(ctx.data)
    levels = list(LEVELS)
    last = len(bands) - 1
    for index, band in enumerate(bands):
        path = ["bands", index]
        top = band.get("max")
        if top is not None and not isinstance(top, int):
            continue
        if top is not None and top < band["min"]:
            ctx.add([*path, "max"], _("the band ends (%(max)s) before it starts (%(min)s).")
                    % {"max": top, "min": band["min"]})
        if top is None and index != last:
            ctx.add([*path, "max"], _("only the last band may be open-ended; give this band "
                                      "a maximum."))
        if index > 0:
            previous = bands[index - 1]
            prev_top = previous.get("max")
            names = {"band": band.get("key", index + 1), "previous": previous.get("key", index)}
            if isinstance(prev_top, int):
                if band["min"] > prev_top + 1:
                    ctx.add([*path, "min"], _(
                        "gap between band “%(previous)s” (up to %(prev_max)s) and band "
                        "“%(band)s” (from %(min)s): a score of %(first)s falls in no band."
                    ) % {**names, "prev_max": prev_top, "min": band["min"], "first": prev_top + 1})
                elif band["min"] <= prev_top:
                    ctx.add([*path, "min"], _(
                        "band “%(band)s” starts at %(min)s but band “%(previous)s” runs up to "
                        "%(prev_max)s: the bands overlap."
                    ) % {**names, "min": band["min"], "prev_max": prev_top})
            if (
                previous.get("level") in levels
                and band.get("level") in levels
                and levels.index(band["level"]) < levels.index(previous["level"])
            ):
                ctx.add([*path, "level"], _(
                    "bands run from the lowest to the highest risk: level “%(level)s” "
                    "cannot follow “%(previous)s”."
                ) % {"level": band["level"], "previous": previous["level"]})
    if bands[0]["min"] > low_score:
        ctx.add(["bands", 0, "min"], _(
            "the lowest possible score is %(score)s, but the first band starts at %(min)s."
        ) % {"score": low_score, "min": bands[0]["min"]})
    top = bands[last].get("max")
    if isinstance(top, int) and top < high_score:
        ctx.add(["bands", last, "max"], _(
            "the highest possible score is %(score)s, but the last band ends at %(max)s; "
            "leave out its maximum or raise it."
        ) % {"score": high_score, "max": top})


def _check_triggers(ctx: _Context, items: dict) -> None:
    bands = [b for b in _list(ctx.data.get("bands")) if isinstance(b, dict)]
    band_keys = [b.get("key") for b in bands]
    sections = {
        s["key"]: s
        for s in _list(ctx.data.get("sections"))
        if isinstance(s, dict) and isinstance(s.get("key"), str)
    }
    for index, trigger in enumerate(_list(ctx.data.get("triggers"))):
        if not isinstance(trigger, dict):
            continue
        path = ["triggers", index]
        when = _dict(trigger.get("when"))
        band = trigger.get("band")
        if isinstance(band, str) and band not in band_keys:
            ctx.add([*path, "band"], _("unknown band “%(band)s”; the bands are: %(bands)s.")
                    % {"band": band, "bands": ", ".join(str(k) for k in band_keys)})
        elif trigger.get("effect") == "force" and band_keys and band == band_keys[0]:
            ctx.add([*path, "band"], _(
                "this trigger forces the lowest band, so it can never change the outcome."))
        has_item, has_section = "item" in when, "section" in when
        if has_item == has_section:
            ctx.add([*path, "when"], _("name either an item or a section, not both or neither."))
            continue
        if has_item:
            _check_item_trigger(ctx, path, when, items)
        else:
            _check_section_trigger(ctx, path, when, sections)


def _check_item_trigger(ctx: _Context, path: list, when: dict, items: dict) -> None:
    item_id = when["item"]
    if not isinstance(item_id, str) or not isinstance(when.get("answer", ""), str):
        return  # the schema reports it
    if item_id not in items:
        ctx.add([*path, "when", "item"], _("unknown item “%(id)s”: this trigger can never fire.")
                % {"id": item_id})
        return
    _item_path, item = items[item_id]
    kind = item.get("type")
    if kind == "number":
        if "answer" in when and when["answer"] not in possible_answers(item):
            ctx.add([*path, "when", "answer"], _(
                "item “%(id)s” is a number; use at_least instead: this trigger can never fire."
            ) % {"id": item_id})
        elif "answer" not in when:
            threshold, top = when.get("at_least"), item.get("max")
            if not isinstance(threshold, int):
                ctx.add([*path, "when"], _("say at_least which number fires this trigger."))
            elif isinstance(top, int) and threshold > top:
                ctx.add([*path, "when", "at_least"], _(
                    "item “%(id)s” goes up to %(max)s, so at least %(at_least)s can never be "
                    "answered: this trigger can never fire."
                ) % {"id": item_id, "max": top, "at_least": threshold})
        return
    if kind == "text":
        ctx.add([*path, "when", "item"], _("a free-text item cannot fire a trigger."))
        return
    if "at_least" in when:
        ctx.add([*path, "when", "at_least"], _("only a number item or a section count uses at_least."))
    answer = when.get("answer")
    if answer is None:
        ctx.add([*path, "when"], _("say which answer fires this trigger."))
    elif answer not in possible_answers(item):
        ctx.add([*path, "when", "answer"], _(
            "item “%(id)s” cannot be answered “%(answer)s” (possible: %(possible)s): this "
            "trigger can never fire."
        ) % {"id": item_id, "answer": answer, "possible": ", ".join(sorted(possible_answers(item)))})


def _check_section_trigger(ctx: _Context, path: list, when: dict, sections: dict) -> None:
    key = when["section"]
    if not isinstance(key, str) or not isinstance(when.get("answer", ""), str):
        return  # the schema reports it
    section = sections.get(key)
    if section is None:
        ctx.add([*path, "when", "section"], _("unknown section “%(key)s”: this trigger can never fire.")
                % {"key": key})
        return
    answer, threshold = when.get("answer"), when.get("at_least")
    if answer is None or not isinstance(threshold, int):
        ctx.add([*path, "when"], _("a section trigger needs an answer and at_least (how many "
                                   "items of the section give that answer)."))
        return
    able = sum(
        1 for item in _list(section.get("items"))
        if isinstance(item, dict) and answer in possible_answers(item)
    )
    if able < threshold:
        ctx.add([*path, "when", "at_least"], ngettext(
            "only %(able)s item of section “%(key)s” can be answered “%(answer)s”, so "
            "%(at_least)s never happens: this trigger can never fire.",
            "only %(able)s items of section “%(key)s” can be answered “%(answer)s”, so "
            "%(at_least)s never happens: this trigger can never fire.",
            able,
        ) % {"able": able, "key": key, "answer": answer, "at_least": threshold})
