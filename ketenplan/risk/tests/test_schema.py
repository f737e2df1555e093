"""Instrument files: every shipped one is valid; every kind of malformed file is refused
with a precise message (line, field, item id) and nothing changes."""

import pytest

from ketenplan.audit.models import AuditEvent
from ketenplan.risk import schema, services
from ketenplan.risk.models import Instrument, InstrumentVersion

from .helpers import SHIPPED_KEYS, shipped_text

# A small, valid instrument; the tests below break it one way at a time. Line numbers in
# the expected messages count in this text.
VALID = """\
key: test-check
version: 1
name: {nl: Testlijst, en: Test checklist}
scoring:
  method: count
  count: [yes]
bands:
  - key: low
    name: {nl: Laag, en: Low}
    level: low
    min: 0
    max: 1
  - key: high
    name: {nl: Hoog, en: High}
    level: high
    min: 2
sections:
  - key: main
    name: {nl: Vragen, en: Questions}
    items:
      - id: hit
        type: yes_no_unknown
        text: {nl: Geslagen, en: Hit}
        help: {nl: Uitleg, en: Explanation}
      - id: threatened
        type: yes_no_unknown
        text: {nl: Bedreigd, en: Threatened}
        help: {nl: Uitleg, en: Explanation}
      - id: weapon
        type: yes_no_unknown
        text: {nl: Wapen, en: Weapon}
        help: {nl: Uitleg, en: Explanation}
triggers:
  - key: weapon
    when: {item: weapon, answer: yes}
    effect: force
    band: high
    note: {nl: Wapen, en: Weapon}
judgement:
  may_raise: true
  may_lower: false
  reason_required: true
"""


MISSING_EN = (
    "help: {nl: Uitleg, en: Explanation}\n      - id: weapon",
    "help: {nl: Uitleg}\n      - id: weapon",
)


def refused(text: str) -> list[str]:
    with pytest.raises(schema.InstrumentError) as exc:
        schema.parse(text)
    return exc.value.messages


def test_the_test_instrument_is_valid():
    data = schema.parse(VALID)
    assert data["triggers"][0]["when"] == {"item": "weapon", "answer": "yes"}


@pytest.mark.parametrize("key", SHIPPED_KEYS)
def test_every_shipped_instrument_is_valid(key):
    data = schema.parse(shipped_text(key))
    assert data["key"] == key
    for _s, _i, _section, item in schema.iter_items(data):
        assert item["help"]["nl"] and item["help"]["en"]


def test_duplicate_item_id():
    text = VALID.replace("      - id: threatened", "      - id: hit")
    assert refused(text) == [
        "Line 25: sections[1].items[2].id (item “hit”): duplicate item id “hit” "
        "(first used at sections[1].items[1])."
    ]


def test_band_gap():
    text = VALID.replace("    min: 2\n", "    min: 3\n")
    assert refused(text) == [
        "Line 16: bands[2].min: gap between band “low” (up to 1) and band “high” (from 3): "
        "a score of 2 falls in no band."
    ]


def test_band_overlap():
    text = VALID.replace("    min: 2\n", "    min: 1\n")
    assert refused(text) == [
        "Line 16: bands[2].min: band “high” starts at 1 but band “low” runs up to 1: the bands overlap."
    ]


def test_bands_must_cover_every_possible_score():
    text = VALID.replace("    min: 2\n", "    min: 2\n    max: 2\n")
    assert refused(text) == [
        "Line 17: bands[2].max: the highest possible score is 3, but the last band ends at 2; "
        "leave out its maximum or raise it."
    ]


def test_trigger_on_an_unknown_item_is_unreachable():
    text = VALID.replace("when: {item: weapon, answer: yes}", "when: {item: knife, answer: yes}")
    assert refused(text) == [
        "Line 35: triggers[1].when.item: unknown item “knife”: this trigger can never fire."
    ]


def test_trigger_on_an_answer_the_item_cannot_take_is_unreachable():
    text = VALID.replace("when: {item: weapon, answer: yes}", "when: {item: weapon, answer: red}")
    assert refused(text) == [
        "Line 35: triggers[1].when.answer: item “weapon” cannot be answered “red” "
        "(possible: no, unknown, yes): this trigger can never fire."
    ]


def test_section_trigger_needing_more_items_than_the_section_has_is_unreachable():
    text = VALID.replace(
        "when: {item: weapon, answer: yes}", "when: {section: main, answer: yes, at_least: 4}"
    )
    assert refused(text) == [
        "Line 35: triggers[1].when.at_least: only 3 items of section “main” can be answered "
        "“yes”, so 4 never happens: this trigger can never fire."
    ]


def test_trigger_forcing_the_lowest_band_can_never_change_the_outcome():
    text = VALID.replace("    band: high\n", "    band: low\n")
    assert refused(text) == [
        "Line 37: triggers[1].band: this trigger forces the lowest band, so it can never change the outcome."
    ]


def test_missing_translation():
    text = VALID.replace(*MISSING_EN)
    assert refused(text) == [
        "Line 28: sections[1].items[2].help.en (item “threatened”): the translation in “en” is missing."
    ]


def test_unknown_item_type():
    text = VALID.replace(
        "      - id: threatened\n        type: yes_no_unknown", "      - id: threatened\n        type: slider"
    )
    assert refused(text) == [
        "Line 26: sections[1].items[2].type (item “threatened”): unknown item type “slider”; "
        "choose one of: yes_no_unknown, single_choice, number, text."
    ]


def test_judgement_may_never_be_allowed_to_lower():
    text = VALID.replace("may_lower: false", "may_lower: true")
    assert refused(text) == [
        "Line 41: judgement.may_lower: must be false: professional judgement may raise a band, "
        "never lower it, and always with a reason."
    ]


def test_every_problem_is_listed_in_line_order():
    text = (
        VALID.replace("    min: 2\n", "    min: 3\n")
        .replace("      - id: threatened", "      - id: hit")
        .replace("when: {item: weapon, answer: yes}", "when: {item: knife, answer: yes}")
        .replace(*MISSING_EN)
    )
    messages = refused(text)
    assert [m.split(":")[0] for m in messages] == ["Line 16", "Line 25", "Line 28", "Line 35"]


def test_a_key_given_twice_and_broken_yaml_name_their_line():
    assert refused(VALID.replace("version: 1\n", "version: 1\nversion: 2\n")) == [
        "Line 3: the field “version” appears twice."
    ]
    assert refused("key: [unclosed\n")[0].startswith("Line 2: this is not valid YAML")


def test_single_choice_and_number_items_are_checked():
    text = VALID.replace(
        "      - id: weapon\n        type: yes_no_unknown\n",
        "      - id: weapon\n        type: number\n        min: 5\n        max: 1\n        options: []\n",
    )
    messages = refused(text)
    assert any("items[3].max (item “weapon”): the maximum (1) must be above the minimum (5)." in m
               for m in messages)
    assert any("items[3].options (item “weapon”): only a single-choice item has options." in m
               for m in messages)
    assert any("triggers[1].when.answer: item “weapon” is a number; use at_least instead" in m
               for m in messages)


@pytest.mark.django_db
def test_a_malformed_file_changes_nothing_and_writes_no_audit_row():
    before = (Instrument.objects.count(), InstrumentVersion.objects.count(), AuditEvent.objects.count())
    with pytest.raises(schema.InstrumentError):
        services.instrument_load(text=VALID.replace("    min: 2\n", "    min: 3\n"), source="test")
    after = (Instrument.objects.count(), InstrumentVersion.objects.count(), AuditEvent.objects.count())
    assert after == before


@pytest.mark.django_db
def test_loading_a_new_instrument_and_then_the_same_file_again():
    result = services.instrument_load(text=VALID, source="test")
    assert result.created and result.instrument.current_version.number == 1
    again = services.instrument_load(text=VALID, source="test")
    assert not again.created
    assert AuditEvent.objects.filter(action="risk.instrument_loaded").count() == 1


@pytest.mark.django_db
def test_same_version_with_other_content_and_older_versions_are_refused():
    services.instrument_load(text=VALID.replace("version: 1", "version: 2"), source="test")
    with pytest.raises(services.ValidationError, match="raise the version number"):
        services.instrument_load(text=VALID.replace("version: 1", "version: 2").replace("Hit}", "Beaten}"))
    with pytest.raises(services.ValidationError, match="is older"):
        services.instrument_load(text=VALID)
    assert InstrumentVersion.objects.filter(instrument__key="test-check").count() == 1


@pytest.mark.django_db
def test_the_shipped_instruments_are_loaded_by_the_data_migration():
    assert set(Instrument.objects.values_list("key", flat=True)) >= set(SHIPPED_KEYS)
    assert all(i.current_version_id for i in Instrument.objects.all())


@pytest.mark.parametrize("break_it", [
    lambda d: d["sections"][0]["items"][0].update(
        type="single_choice", options=[{"value": [1]}, {"value": "a"}]
    ),
    lambda d: d["sections"][0].update(key=["main"]),
    lambda d: d["triggers"][0].update(when={"section": ["main"], "answer": "yes", "at_least": 1}),
    lambda d: d["triggers"][0].update(when={"item": "weapon", "answer": {"a": 1}}),
    lambda d: d["scoring"].update(count=[["yes"]]),
    lambda d: d.update(bands="low"),
    lambda d: d.update(sections=[None, 3]),
    lambda d: d["bands"][0].update(max="9"),
])
def test_odd_shapes_are_refused_with_problems_not_errors(break_it):
    import yaml

    data = schema.parse(VALID)
    break_it(data)
    with pytest.raises(schema.InstrumentError) as exc:
        schema.parse(yaml.safe_dump(data))
    assert all(m.startswith("Line ") for m in exc.value.messages)


def test_the_load_command(capsys, tmp_path, db):
    from django.core.management import CommandError, call_command

    call_command("load_instruments")
    assert "dash v1 unchanged" in capsys.readouterr().out
    broken = tmp_path / "broken.yaml"
    broken.write_text(VALID.replace("    min: 2\n", "    min: 3\n"), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_instruments", str(broken))
    assert "a score of 2 falls in no band" in capsys.readouterr().err
