"""The data files: every shipped file is valid; every malformed one is refused with
every problem named precisely."""

import pytest
from django.utils import translation
from jsonschema import Draft202012Validator

from ketenplan.methods import definitions
from ketenplan.methods.definitions import DefinitionError, parse_life_domains, parse_profile

from .conftest import as_yaml, shipped_definition


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def problems(text: str, parse=parse_profile) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse(text)
    return caught.value.messages


# --- What ships -----------------------------------------------------------------------


def test_schemas_are_valid_json_schemas():
    Draft202012Validator.check_schema(definitions.PROFILE_SCHEMA)
    Draft202012Validator.check_schema(definitions.LIFE_DOMAINS_SCHEMA)


@pytest.mark.parametrize(
    "path", definitions.shipped_profile_paths(), ids=lambda p: p.name
)
def test_every_shipped_profile_is_valid(path):
    definition = parse_profile(path.read_text(encoding="utf-8"))
    assert definition["key"] == path.stem


def test_the_three_methods_ship():
    assert [p.stem for p in definitions.shipped_profile_paths()] == [
        "ketenaanpak-ifg",
        "marac",
        "mdaplusplus",
    ]


def test_ifg_evaluates_1_4_and_10_months_after_the_plan():
    milestones = shipped_definition("ketenaanpak-ifg")["milestones"]
    assert [(m["kind"], m["anchor"], m["offset"]) for m in milestones] == [
        ("evaluation", "plan_approved", {"amount": 1, "unit": "months"}),
        ("evaluation", "plan_approved", {"amount": 4, "unit": "months"}),
        ("evaluation", "plan_approved", {"amount": 10, "unit": "months"}),
    ]


def test_mda_milestones_count_from_registration():
    milestones = shipped_definition("mdaplusplus")["milestones"]
    assert [(m["name"]["en"], m["anchor"], m["offset"]) for m in milestones] == [
        ("Direct safety", "registration", {"amount": 1, "unit": "weeks"}),
        ("Stable safety — plan", "registration", {"amount": 4, "unit": "weeks"}),
        ("Stable safety — carried out", "registration", {"amount": 3, "unit": "months"}),
        ("Recovery from trauma and development", "registration", {"amount": 1, "unit": "years"}),
        ("Participation and quality of life", "registration", {"amount": 2, "unit": "years"}),
    ]


def test_marac_referral_criteria_and_parameters():
    marac = shipped_definition("marac")
    assert marac["parameters"]["repeat_window_months"] == 12
    assert marac["parameters"]["escalation"] == {"incidents": 3, "window_months": 12}
    criteria = {c["kind"]: c for c in marac["referral_criteria"]}
    assert set(criteria) == {"risk_score", "professional_judgement", "escalation"}
    assert criteria["risk_score"]["instrument"] == "dash"
    assert criteria["risk_score"]["minimum"] == 14


def test_the_thirteen_life_domains_of_the_method_ship_in_order():
    domains = parse_life_domains(definitions.SHIPPED_LIFE_DOMAINS.read_text(encoding="utf-8"))
    assert [d["name"]["en"] for d in domains] == [
        "Safety",
        "Housing",
        "Finances",
        "Work and education",
        "Time use and daily activities",
        "Household relationships and parenting",
        "Children's development",
        "Mental health",
        "Physical health",
        "Substance use",
        "Social network",
        "Community participation",
        "Justice",
    ]


# --- Malformed profiles: one problem each -----------------------------------------------


def test_missing_field(profile_yaml):
    def drop_anchor(data):
        del data["milestones"][1]["anchor"]

    assert problems(profile_yaml(drop_anchor)) == [
        "milestones[2].anchor: this field is required but missing."
    ]


def test_missing_top_level_field(profile_yaml):
    assert problems(profile_yaml(lambda d: d.pop("version"))) == [
        "version: this field is required but missing."
    ]


def test_unknown_unit(profile_yaml):
    def fortnights(data):
        data["milestones"][0]["offset"]["unit"] = "fortnights"

    assert problems(profile_yaml(fortnights)) == [
        "milestones[1].offset.unit: “fortnights” is not allowed; "
        "choose one of: days, weeks, months, years."
    ]


def test_negative_offset(profile_yaml):
    def negative(data):
        data["milestones"][2]["offset"]["amount"] = -3

    assert problems(profile_yaml(negative)) == [
        "milestones[3].offset.amount: must not be negative (is -3)."
    ]


def test_duplicate_milestone_key(profile_yaml):
    def duplicate(data):
        data["milestones"][2]["key"] = data["milestones"][0]["key"]

    assert problems(profile_yaml(duplicate)) == [
        "milestones[3].key: “evaluation-1m” is already used by milestones[1]; "
        "keys must be unique."
    ]


def test_unknown_anchor(profile_yaml):
    def closure(data):
        data["milestones"][0]["anchor"] = "case_closed"

    assert problems(profile_yaml(closure)) == [
        "milestones[1].anchor: “case_closed” is not allowed; "
        "choose one of: registration, plan_approved."
    ]


def test_unknown_field(profile_yaml):
    assert problems(profile_yaml(colour="red")) == [
        "colour: unknown field; allowed here: description, key, locale_hint, milestones, "
        "name, parameters, referral_criteria, source, version."
    ]


def test_wrong_type(profile_yaml):
    def words(data):
        data["milestones"][0]["offset"]["amount"] = "one"

    assert problems(profile_yaml(words)) == [
        "milestones[1].offset.amount: must be a whole number, not text."
    ]


def test_too_large_offset(profile_yaml):
    def huge(data):
        data["milestones"][0]["offset"]["amount"] = 10**9

    assert problems(profile_yaml(huge)) == [
        "milestones[1].offset.amount: must be at most 3650 (is 1000000000)."
    ]


def test_missing_name_language(profile_yaml):
    assert problems(profile_yaml(name={"nl": "Alleen Nederlands"})) == [
        "name.en: this field is required but missing."
    ]


def test_empty_name(profile_yaml):
    assert problems(profile_yaml(name={"nl": "", "en": "Test"})) == ["name.nl: must not be empty."]


def test_bad_key(profile_yaml):
    assert problems(profile_yaml(key="Test Profile")) == [
        "key: “Test Profile” is not a valid key: use lower-case letters and digits, "
        "joined by single hyphens or underscores."
    ]


def test_unknown_locale(profile_yaml):
    assert problems(profile_yaml(locale_hint="fr-be")) == [
        "locale_hint: “fr-be” is not allowed; choose one of: nl-be, nl-nl, en-gb."
    ]


def test_no_milestones(profile_yaml):
    assert problems(profile_yaml(milestones=[])) == ["milestones: needs at least 1 item."]


def test_version_zero(profile_yaml):
    assert problems(profile_yaml(version=0)) == ["version: must be at least 1 (is 0)."]


def test_unknown_parameter(profile_yaml):
    def typo(data):
        data["parameters"]["repeat_window_month"] = 12

    assert problems(profile_yaml(typo)) == [
        "parameters.repeat_window_month: unknown field; allowed here: escalation, meeting, "
        "repeat_window_months.",
    ]


# --- Referral criteria ------------------------------------------------------------------


def marac_with(change) -> str:
    data = shipped_definition("marac")
    change(data)
    return as_yaml(data)


def test_risk_score_criterion_needs_instrument_and_minimum():
    def strip(data):
        del data["referral_criteria"][0]["instrument"]
        del data["referral_criteria"][0]["minimum"]

    assert problems(marac_with(strip)) == [
        "referral_criteria[1].instrument: this field is required but missing.",
        "referral_criteria[1].minimum: this field is required but missing.",
    ]


def test_only_a_risk_score_criterion_has_a_minimum():
    def add(data):
        data["referral_criteria"][1]["minimum"] = 3

    assert problems(marac_with(add)) == [
        "referral_criteria[2].minimum: only a criterion of kind “risk_score” has this field."
    ]


def test_escalation_criterion_needs_the_escalation_parameters():
    assert problems(marac_with(lambda d: d["parameters"].pop("escalation"))) == [
        "referral_criteria[3].kind: an escalation criterion needs parameters.escalation "
        "(incidents and window_months)."
    ]


# --- Every problem at once --------------------------------------------------------------


def test_every_problem_is_listed_at_once(profile_yaml):
    def many(data):
        data.pop("locale_hint")
        data["milestones"][0]["offset"]["unit"] = "fortnights"
        data["milestones"][1]["offset"]["amount"] = -1
        data["milestones"][2]["anchor"] = "case_closed"
        data["milestones"][2]["key"] = "evaluation-1m"

    assert problems(profile_yaml(many)) == [
        "locale_hint: this field is required but missing.",
        "milestones[1].offset.unit: “fortnights” is not allowed; "
        "choose one of: days, weeks, months, years.",
        "milestones[2].offset.amount: must not be negative (is -1).",
        "milestones[3].anchor: “case_closed” is not allowed; "
        "choose one of: registration, plan_approved.",
        "milestones[3].key: “evaluation-1m” is already used by milestones[1]; "
        "keys must be unique.",
    ]


# --- Not even good YAML -----------------------------------------------------------------


def test_yaml_syntax_error():
    [message] = problems("key: ketenaanpak-ifg\nname: [unclosed\n")
    assert message.startswith("Line 3, column 1: this is not valid YAML (")


def test_a_field_given_twice_is_refused():
    [message] = problems("key: a\nversion: 1\nkey: b\n")
    assert message == "Line 3, column 1: the field “key” appears twice."


def test_aliases_are_refused():
    [message] = problems("a: &x [1, 2]\nb: *x\n")
    assert message == "Line 2, column 4: YAML aliases (*name) are not supported."


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just words"])
def test_the_top_level_must_be_a_mapping(text):
    assert problems(text) == [
        "The file must hold a set of fields (a YAML mapping) at the top level."
    ]


def test_python_objects_are_not_constructed():
    [message] = problems("key: !!python/object/apply:os.system ['true']\n")
    assert "not valid YAML" in message


def test_too_large_a_file():
    assert problems("# " + "x" * definitions.MAX_DEFINITION_CHARS) == [
        "The file is larger than 64 KB."
    ]


# --- Life domains -----------------------------------------------------------------------


def test_life_domain_problems():
    text = as_yaml(
        {
            "domains": [
                {"key": "safety", "name": {"nl": "Veiligheid", "en": "Safety"}},
                {"key": "safety", "name": {"nl": "Veiligheid", "en": "Safety"}},
                {"key": "housing", "name": {"nl": "Huisvesting"}},
            ]
        }
    )
    assert problems(text, parse_life_domains) == [
        "domains[2].key: “safety” is already used by domains[1]; keys must be unique.",
        "domains[3].name.en: this field is required but missing.",
    ]


def test_a_life_domain_file_is_told_apart_from_a_profile():
    assert definitions.is_life_domains_document(
        definitions.SHIPPED_LIFE_DOMAINS.read_text(encoding="utf-8")
    )
    for path in definitions.shipped_profile_paths():
        assert not definitions.is_life_domains_document(path.read_text(encoding="utf-8"))
