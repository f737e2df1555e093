"""Helpers for risk tests: shipped definitions and answers that reach a given score."""

from __future__ import annotations

from ketenplan.risk import schema, scoring
from ketenplan.risk.schema import UNKNOWN


def shipped_text(key: str) -> str:
    return (schema.SHIPPED_DIR / f"{key}.yaml").read_text(encoding="utf-8")


def shipped(key: str) -> scoring.Definition:
    return scoring.Definition(schema.parse(shipped_text(key)))


SHIPPED_KEYS = ["dash", "child-safety", "elder-abuse", "exclusion-order"]


def _options(definition: scoring.Definition, item: dict) -> list[tuple[object, int]]:
    """(answer, points) for every answer of the item that scores, without unknown."""
    kind = item["type"]
    if kind == "text":
        return []
    if kind == "number":
        values = range(item["min"], item["max"] + 1)
    elif kind == "yes_no_unknown":
        values = ["no", "yes"]
    else:
        values = [o["value"] for o in item["options"]]
    return [(v, scoring._points(definition, item, v)) for v in values]


def _forces(definition: scoring.Definition, answers: dict) -> bool:
    return bool(scoring.evaluate(definition, answers).fired)


def minimal_answers(definition: scoring.Definition) -> dict:
    """Every question answered with its lowest-scoring answer."""
    answers = {}
    for item_id, item in definition.items.items():
        options = _options(definition, item)
        if options:
            answers[item_id] = min(options, key=lambda o: o[1])[0]
    return answers


def answers_for_score(definition: scoring.Definition, target: int, *, unknown: int = 0) -> dict:
    """A complete set of answers scoring exactly ``target`` without firing any force
    trigger, with ``unknown`` items answered "unknown" (taken from items left at zero)."""
    answers = minimal_answers(definition)
    base = scoring.evaluate(definition, answers).score
    remaining = target - base
    for item_id, item in definition.items.items():
        if remaining <= 0:
            break
        current = scoring._points(definition, item, answers.get(item_id))
        best = None
        for value, points in sorted(_options(definition, item), key=lambda o: -o[1]):
            gain = points - current
            if 0 < gain <= remaining:
                trial = {**answers, item_id: value}
                if not _forces(definition, trial):
                    best = (value, gain)
                    break
        if best is not None:
            answers[item_id] = best[0]
            remaining -= best[1]
    assert remaining == 0, f"cannot reach {target} without a trigger"
    if unknown:
        zero_items = [
            i for i, item in definition.items.items()
            if item["type"] != "text" and UNKNOWN in schema.possible_answers(item)
            and scoring._points(definition, item, answers.get(i)) == 0
        ]
        assert len(zero_items) >= unknown
        for item_id in zero_items[:unknown]:
            answers[item_id] = UNKNOWN
    outcome = scoring.evaluate(definition, answers)
    assert outcome.score == target and not outcome.fired and not outcome.missing
    return answers


def max_without_trigger(definition: scoring.Definition) -> int:
    low, high = schema.score_range(definition.data)
    for target in range(high, low - 1, -1):
        try:
            answers_for_score(definition, target)
        except AssertionError:
            continue
        return target
    return low
