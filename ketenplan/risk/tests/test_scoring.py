"""Scoring, bands and triggers of every shipped instrument, at every band boundary."""

import pytest

from ketenplan.risk import schema, scoring

from .helpers import SHIPPED_KEYS, answers_for_score, max_without_trigger, minimal_answers, shipped


def boundary_cases():
    """(instrument, score, expected band) at both sides of every band boundary, the lowest
    score and the highest score each instrument can give without a trigger."""
    cases = []
    for key in SHIPPED_KEYS:
        definition = shipped(key)
        low, _high = schema.score_range(definition.data)
        top = max_without_trigger(definition)
        scores = {low, top}
        for band in definition.bands:
            scores |= {band["min"], band["min"] - 1}
            if "max" in band:
                scores |= {band["max"], band["max"] + 1}
        for score in sorted(s for s in scores if low <= s <= top):
            expected = next(
                b["key"] for b in definition.bands
                if score >= b["min"] and ("max" not in b or score <= b["max"])
            )
            cases.append(pytest.param(key, score, expected, id=f"{key}-{score}"))
    return cases


@pytest.mark.parametrize(("key", "score", "band"), boundary_cases())
def test_every_band_boundary_of_every_shipped_instrument(key, score, band):
    definition = shipped(key)
    outcome = scoring.evaluate(definition, answers_for_score(definition, score))
    assert outcome.score == score
    assert outcome.score_band == band
    assert outcome.computed_band == band
    assert outcome.complete


@pytest.mark.parametrize(
    ("yes_answers", "band", "level"),
    [(0, "standard", "low"), (9, "standard", "low"), (10, "medium", "medium"),
     (13, "medium", "medium"), (14, "high", "high"), (24, "high", "high")],
)
def test_dash_bands_are_0_to_9_standard_10_to_13_medium_14_and_more_high(yes_answers, band, level):
    definition = shipped("dash")
    items = [i for i, item in definition.items.items() if item["type"] == "yes_no_unknown"]
    assert len(items) == 24
    answers = {i: ("yes" if n < yes_answers else "no") for n, i in enumerate(items)}
    outcome = scoring.evaluate(definition, answers)
    assert outcome.score == yes_answers
    assert outcome.computed_band == band
    assert definition.level(outcome.computed_band) == level


def test_unknown_answers_earn_nothing_and_are_counted_apart():
    definition = shipped("dash")
    outcome = scoring.evaluate(definition, answers_for_score(definition, 12, unknown=5))
    assert (outcome.score, outcome.unknown_count) == (12, 5)
    assert outcome.complete


def test_an_unanswered_required_question_makes_the_outcome_incomplete():
    definition = shipped("dash")
    answers = minimal_answers(definition)
    del answers["injury"]
    outcome = scoring.evaluate(definition, answers)
    assert outcome.missing == ["injury"]
    assert not outcome.complete


def test_free_text_is_never_required_and_never_scores():
    definition = shipped("dash")
    answers = minimal_answers(definition) | {"notes": "She says he has a gun."}
    assert scoring.evaluate(definition, answers).score == 0
    assert "notes" not in scoring.evaluate(definition, minimal_answers(definition)).missing


# --- Triggers -----------------------------------------------------------------------------


@pytest.mark.parametrize("item", ["strangulation", "threats_to_kill", "stalking"])
def test_dash_strangulation_threats_to_kill_and_stalking_flag_judgement_without_changing_the_band(item):
    definition = shipped("dash")
    answers = minimal_answers(definition) | {item: "yes"}
    outcome = scoring.evaluate(definition, answers)
    assert outcome.flags == [item]
    assert outcome.fired == []
    assert outcome.computed_band == "standard"


@pytest.mark.parametrize("item", ["injury_needs_care", "afraid_to_go_home", "threat_now", "no_care_now"])
def test_child_safety_any_immediate_danger_forces_high_whatever_the_score(item):
    definition = shipped("child-safety")
    answers = minimal_answers(definition) | {item: "yes"}
    outcome = scoring.evaluate(definition, answers)
    assert outcome.score == 0
    assert outcome.score_band == "low"
    assert outcome.fired == [item]
    assert outcome.computed_band == "high"


def test_child_safety_immediate_questions_come_first():
    definition = shipped("child-safety")
    assert definition.data["sections"][0]["key"] == "immediate_safety"


def test_child_safety_police_call_outs_count_per_call_out_and_flag_from_three():
    definition = shipped("child-safety")
    base = minimal_answers(definition)
    two = scoring.evaluate(definition, base | {"police_callouts": 2})
    three = scoring.evaluate(definition, base | {"police_callouts": 3})
    assert (two.score, two.flags) == (2, [])
    assert (three.score, three.flags) == (3, ["frequent_police"])


def test_elder_recent_physical_harm_forces_at_least_medium_but_never_lowers():
    definition = shipped("elder-abuse")
    alone = scoring.evaluate(definition, minimal_answers(definition) | {"recent_physical_harm": "yes"})
    assert (alone.score, alone.score_band, alone.computed_band) == (1, "low", "medium")
    answers = answers_for_score(definition, 4) | {"recent_physical_harm": "yes"}
    many = scoring.evaluate(definition, answers)
    assert many.computed_band == "high"  # a force trigger to medium does not pull high down
    assert many.fired == ["recent_physical_harm"]


def test_exclusion_order_has_20_signals_in_3_parts_rated_red_amber_green():
    definition = shipped("exclusion-order")
    sections = definition.data["sections"]
    assert [s["key"] for s in sections] == ["perpetrator", "incident", "background"]
    assert sum(len(s["items"]) for s in sections) == 20
    for item in definition.items.values():
        assert [o["value"] for o in item["options"]] == ["red", "amber", "green"]


@pytest.mark.parametrize("part", ["perpetrator", "incident", "background"])
def test_exclusion_order_two_reds_within_one_part_suggest_an_order(part):
    definition = shipped("exclusion-order")
    in_part = [i for i, s in definition.item_section.items() if s == part]
    answers = minimal_answers(definition) | {in_part[0]: "red", in_part[1]: "red"}
    outcome = scoring.evaluate(definition, answers)
    assert outcome.score == 4
    assert outcome.score_band == "no_order"
    assert outcome.fired == [f"two_reds_{part}"]
    assert outcome.computed_band == "order_suggested"


def test_exclusion_order_reds_in_different_parts_do_not_trigger():
    definition = shipped("exclusion-order")
    first_of = {}
    for item_id, section in definition.item_section.items():
        first_of.setdefault(section, item_id)
    answers = minimal_answers(definition) | dict.fromkeys(first_of.values(), "red")
    outcome = scoring.evaluate(definition, answers)
    assert (outcome.score, outcome.fired, outcome.computed_band) == (6, [], "no_order")


# --- Professional judgement ---------------------------------------------------------------


def test_judgement_may_raise_with_a_reason():
    definition = shipped("dash")
    assert scoring.judgement_problem(definition, "standard", "high", "Strangled last week.") is None
    assert scoring.final_band(definition, "standard", "high") == "high"


def test_judgement_may_never_lower():
    definition = shipped("dash")
    problem = scoring.judgement_problem(definition, "high", "medium", "She seems calm.")
    assert problem == "Professional judgement may raise the band, never lower it."
    assert scoring.final_band(definition, "high", "medium") == "high"


def test_judgement_needs_a_reason():
    definition = shipped("dash")
    assert scoring.judgement_problem(definition, "standard", "high", "  ") == (
        "Give the reason for raising the band."
    )


def test_judgement_to_the_same_band_is_no_judgement():
    definition = shipped("dash")
    assert scoring.judgement_problem(definition, "medium", "medium", "why") is not None


# --- Answers ------------------------------------------------------------------------------


def test_answers_are_checked_against_the_item_types():
    definition = shipped("child-safety")
    answers, errors = scoring.clean_answers(definition, {
        "injury_needs_care": "maybe", "youngest_age": "under_4", "police_callouts": "9",
        "earlier_harm": "yes", "protective_factors": "  Grandmother nearby.  ", "not_an_item": "yes",
    })
    assert answers == {"youngest_age": "under_4", "earlier_harm": "yes",
                       "protective_factors": "Grandmother nearby."}
    assert set(errors) == {"injury_needs_care", "police_callouts"}


def test_changed_answers_between_two_assessments():
    definition = shipped("dash")
    before = minimal_answers(definition)
    after = before | {"stalking": "yes", "injury": "unknown"}
    changes = scoring.changed_answers(definition, after, definition, before)
    assert [(c["id"], c["before"], c["after"]) for c in changes] == [
        ("injury", "no", "unknown"), ("stalking", "no", "yes")
    ]
