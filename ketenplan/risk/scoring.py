"""Scoring an instrument's answers: pure functions over a checked definition.

* The **score** is the number of counted answers (``scoring.method: count``, e.g. the
  "yes" answers of a DASH-style list) or the sum of the points of the answers
  (``points``). "Unknown" answers earn nothing and are counted apart, so the page can say
  "score 12 with 5 unknown".
* The **score band** is the band whose range holds the score.
* A **force trigger** that fires lifts the outcome to its band when that is higher; it
  never lowers it. A **flag trigger** changes nothing by itself: it asks the professional
  to weigh raising the band by judgement (strangulation, threats to kill, stalking).
* The **computed band** is the higher of the score band and the forced bands.
* **Professional judgement** may raise the computed band, never lower it, and needs a
  reason; the **final band** is the judgement band when given, else the computed band.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from ketenplan.methods.language import localized

from .schema import UNKNOWN, YES_NO_UNKNOWN, is_required, iter_items, possible_answers

MAX_TEXT_ANSWER = 4000


@dataclass(frozen=True)
class Outcome:
    score: int
    unknown_count: int
    answered_count: int
    item_count: int
    missing: list[str]  # ids of required items without an answer
    score_band: str
    computed_band: str
    fired: list[str]  # keys of force triggers that fired
    flags: list[str]  # keys of flag triggers that fired (for professional judgement)

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass
class Definition:
    """Convenient look-ups over one instrument version's definition."""

    data: dict[str, Any]
    items: dict[str, dict] = field(init=False)
    item_section: dict[str, str] = field(init=False)

    def __post_init__(self):
        self.items = {}
        self.item_section = {}
        for _s, _i, section, item in iter_items(self.data):
            self.items[item["id"]] = item
            self.item_section[item["id"]] = section["key"]

    @property
    def bands(self) -> list[dict]:
        return self.data["bands"]

    @property
    def band_keys(self) -> list[str]:
        return [b["key"] for b in self.bands]

    def band(self, key: str) -> dict | None:
        return next((b for b in self.bands if b["key"] == key), None)

    def rank(self, key: str) -> int:
        """Position of the band from the lowest risk (0); -1 when unknown."""
        try:
            return self.band_keys.index(key)
        except ValueError:
            return -1

    def level(self, key: str) -> str:
        band = self.band(key)
        return band["level"] if band else ""

    def band_name(self, key: str) -> str:
        band = self.band(key)
        return localized(band["name"]) if band else key

    def trigger(self, key: str) -> dict | None:
        return next((t for t in self.data.get("triggers", []) if t["key"] == key), None)

    def higher_bands(self, key: str) -> list[dict]:
        return self.bands[self.rank(key) + 1 :]


# --- Answers ------------------------------------------------------------------------------


def clean_answers(definition: Definition, raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Answers as stored (only known items, values of the right kind) and the problems
    per item id. Empty answers are left out: a draft may be incomplete."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item_id, item in definition.items.items():
        value = raw.get(item_id)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        kind = item["type"]
        if kind == "text":
            text = str(value).strip()
            if len(text) > MAX_TEXT_ANSWER:
                errors[item_id] = _("Write at most %(limit)s characters.") % {"limit": MAX_TEXT_ANSWER}
            else:
                answers[item_id] = text
        elif kind == "number":
            if str(value).strip() == UNKNOWN and item.get("allow_unknown"):
                answers[item_id] = UNKNOWN
                continue
            try:
                number = int(str(value).strip())
            except ValueError:
                errors[item_id] = _("Give a whole number.")
                continue
            if not item["min"] <= number <= item["max"]:
                errors[item_id] = _("Give a number from %(min)s to %(max)s.") % {
                    "min": item["min"], "max": item["max"]}
            else:
                answers[item_id] = number
        else:
            value = str(value).strip()
            if value not in possible_answers(item):
                errors[item_id] = _("Choose one of the answers offered.")
            else:
                answers[item_id] = value
    return answers, errors


def answer_label(item: dict, value: Any) -> str:
    """The answer in words, in the active language."""
    if value is None or value == "":
        return _("not answered")
    if value == UNKNOWN:
        return _("unknown")
    kind = item["type"]
    if kind == "yes_no_unknown":
        return {"yes": _("yes"), "no": _("no")}.get(value, str(value))
    if kind == "single_choice":
        for option in item.get("options", []):
            if option["value"] == value:
                return localized(option["label"])
    return str(value)


def answer_choices(item: dict) -> list[tuple[str, str]]:
    """``(value, label)`` for the answers of a yes/no/unknown or single-choice item."""
    if item["type"] == "yes_no_unknown":
        return [(a, answer_label(item, a)) for a in YES_NO_UNKNOWN]
    choices = [(o["value"], localized(o["label"])) for o in item.get("options", [])]
    if item.get("allow_unknown"):
        choices.append((UNKNOWN, _("unknown")))
    return choices


# --- Scoring ------------------------------------------------------------------------------


def _points(definition: Definition, item: dict, value: Any) -> int:
    scoring = definition.data["scoring"]
    if value is None or value == UNKNOWN or item["type"] == "text":
        if scoring["method"] == "count" and value == UNKNOWN and UNKNOWN in scoring.get("count", []):
            return 1
        return 0
    if scoring["method"] == "count":
        return 1 if value in scoring.get("count", []) else 0
    kind = item["type"]
    if kind == "yes_no_unknown":
        return item.get("points", {}).get(value, 0)
    if kind == "single_choice":
        option = next((o for o in item["options"] if o["value"] == value), None)
        return option.get("points", 0) if option else 0
    if kind == "number":
        return item.get("points_per_unit", 0) * int(value)
    return 0


def score_band(definition: Definition, score: int) -> str:
    for band in definition.bands:
        if score >= band["min"] and ("max" not in band or score <= band["max"]):
            return band["key"]
    # The schema guarantees full coverage; stay safe for a hand-edited database.
    return definition.band_keys[-1] if score > definition.bands[-1]["min"] else definition.band_keys[0]


def _fires(definition: Definition, when: dict, answers: dict) -> bool:
    if "item" in when:
        value = answers.get(when["item"])
        if "answer" in when:
            return value == when["answer"]
        return isinstance(value, int) and not isinstance(value, bool) and value >= when["at_least"]
    section = when["section"]
    hits = sum(
        1 for item_id, sec in definition.item_section.items()
        if sec == section and answers.get(item_id) == when["answer"]
    )
    return hits >= when["at_least"]


def evaluate(definition: Definition, answers: dict[str, Any]) -> Outcome:
    score = unknown = answered = 0
    missing = []
    for item_id, item in definition.items.items():
        value = answers.get(item_id)
        if value is None:
            if is_required(item):
                missing.append(item_id)
            continue
        answered += 1
        if value == UNKNOWN:
            unknown += 1
        score += _points(definition, item, value)
    by_score = score_band(definition, score)
    computed = by_score
    fired, flags = [], []
    for trigger in definition.data.get("triggers", []):
        if not _fires(definition, trigger["when"], answers):
            continue
        if trigger["effect"] == "force":
            fired.append(trigger["key"])
            if definition.rank(trigger["band"]) > definition.rank(computed):
                computed = trigger["band"]
        else:
            flags.append(trigger["key"])
    return Outcome(
        score=score,
        unknown_count=unknown,
        answered_count=answered,
        item_count=len(definition.items),
        missing=missing,
        score_band=by_score,
        computed_band=computed,
        fired=fired,
        flags=flags,
    )


def judgement_problem(definition: Definition, computed: str, judgement: str, reason: str) -> str | None:
    """Why this professional judgement is refused, or None when it may stand."""
    if definition.rank(judgement) < 0:
        return _("Choose one of the instrument's bands.")
    if definition.rank(judgement) < definition.rank(computed):
        return _("Professional judgement may raise the band, never lower it.")
    if definition.rank(judgement) == definition.rank(computed):
        return _("Choose a band above the current one to raise it.")
    if not reason.strip():
        return _("Give the reason for raising the band.")
    return None


def final_band(definition: Definition, computed: str, judgement: str = "") -> str:
    if judgement and definition.rank(judgement) > definition.rank(computed):
        return judgement
    return computed


def changed_answers(
    newer: Definition, newer_answers: dict, older: Definition, older_answers: dict
) -> list[dict]:
    """The items of the newer assessment whose answer differs from the older one's
    (items asked in both versions, in the newer version's order)."""
    changes = []
    for item_id, item in newer.items.items():
        if item_id not in older.items:
            continue
        before, after = older_answers.get(item_id), newer_answers.get(item_id)
        if before != after:
            changes.append({
                "id": item_id,
                "text": localized(item["text"]),
                "before": answer_label(older.items[item_id], before),
                "after": answer_label(item, after),
            })
    return changes
