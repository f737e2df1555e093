"""Loading profiles and life domains into the database; reading them back."""

import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ketenplan.accounts.models import Region
from ketenplan.audit.models import AuditEvent
from ketenplan.methods import definitions, selectors, services
from ketenplan.methods.definitions import DefinitionError
from ketenplan.methods.models import LifeDomain, MethodProfile
from ketenplan.methods.services import LoadOutcome

from .conftest import as_yaml, shipped_definition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def snapshot():
    """Everything loading could change, to assert that a refusal changed nothing."""
    return (
        list(MethodProfile.objects.order_by("key").values()),
        list(LifeDomain.objects.order_by("key").values()),
        AuditEvent.objects.count(),
    )


def shipped_text(key: str) -> str:
    return (definitions.SHIPPED_PROFILES_DIR / f"{key}.yaml").read_text(encoding="utf-8")


# --- What a fresh database holds ---------------------------------------------------------


def test_the_data_migration_loads_the_shipped_profiles():
    profiles = {p.key: p for p in MethodProfile.objects.all()}
    assert set(profiles) == {"ketenaanpak-ifg", "mdaplusplus", "marac"}
    for key, profile in profiles.items():
        assert profile.definition == shipped_definition(key)
        assert profile.version == 1
        assert profile.is_active


def test_the_data_migration_loads_the_life_domains_in_order():
    domains = list(LifeDomain.objects.all())
    assert len(domains) == 13
    assert [d.key for d in domains][:3] == ["safety", "housing", "finances"]
    assert domains[-1].key == "justice"
    assert all(d.is_active for d in domains)


# --- Profiles ---------------------------------------------------------------------------


def test_loading_a_shipped_profile_again_changes_nothing():
    before = snapshot()
    result = services.profile_load(text=shipped_text("marac"))
    assert result.outcome == LoadOutcome.UNCHANGED
    assert result.profile.key == "marac"
    assert snapshot() == before


def test_loading_a_new_profile(profile_yaml):
    result = services.profile_load(text=profile_yaml(), source="test.yaml")
    assert result.outcome == LoadOutcome.CREATED
    profile = MethodProfile.objects.get(key="test-profile")
    assert (profile.name_nl, profile.name_en, profile.version) == ("Testprofiel", "Test profile", 1)
    event = AuditEvent.objects.get(action="methods.profile_created")
    assert event.object_id == str(profile.pk)
    assert event.actor is None
    assert event.actor_label == services.SYSTEM_LABEL
    assert event.detail["source"] == "test.yaml"


def test_a_higher_version_replaces_the_profile(profile_yaml):
    first = services.profile_load(text=profile_yaml()).profile

    def longer(data):
        data["milestones"][2]["offset"]["amount"] = 12

    result = services.profile_load(text=profile_yaml(longer, version=2))
    assert result.outcome == LoadOutcome.UPDATED
    profile = MethodProfile.objects.get(pk=first.pk)
    assert profile.version == 2
    assert profile.definition["milestones"][2]["offset"]["amount"] == 12
    assert profile.loaded_at > first.loaded_at
    event = AuditEvent.objects.get(action="methods.profile_updated")
    assert (event.detail["previous_version"], event.detail["version"]) == (1, 2)


def test_the_same_version_with_other_content_is_refused(profile_yaml):
    services.profile_load(text=profile_yaml())
    before = snapshot()

    def longer(data):
        data["milestones"][2]["offset"]["amount"] = 12

    with pytest.raises(ValidationError) as caught:
        services.profile_load(text=profile_yaml(longer))
    assert caught.value.messages == [
        "Profile “test-profile” version 1 is loaded already with different content; "
        "raise the version number to replace it."
    ]
    assert snapshot() == before


def test_an_older_version_is_refused(profile_yaml):
    services.profile_load(text=profile_yaml(version=3))
    before = snapshot()
    with pytest.raises(ValidationError, match="at version 3 already; version 2 is older"):
        services.profile_load(text=profile_yaml(version=2, source="older"))
    assert snapshot() == before


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("parameters"),  # missing field
        lambda d: d["milestones"][0]["offset"].update(unit="fortnights"),  # unknown unit
        lambda d: d["milestones"][0]["offset"].update(amount=-1),  # negative offset
        lambda d: d["milestones"][1].update(key="evaluation-1m"),  # duplicate milestone key
        lambda d: d["milestones"][0].update(anchor="case_closed"),  # unknown anchor
    ],
    ids=["missing-field", "unknown-unit", "negative-offset", "duplicate-key", "unknown-anchor"],
)
def test_a_malformed_profile_changes_nothing(profile_yaml, change):
    before = snapshot()
    with pytest.raises(DefinitionError):
        services.profile_load(text=profile_yaml(change))
    assert snapshot() == before


def test_a_malformed_new_version_of_a_shipped_profile_changes_nothing():
    data = shipped_definition("ketenaanpak-ifg")
    data["version"] = 2
    data["milestones"][0]["offset"]["unit"] = "fortnights"
    before = snapshot()
    with pytest.raises(DefinitionError):
        services.profile_load(text=as_yaml(data))
    assert snapshot() == before


def test_create_only_refuses_an_existing_key():
    with pytest.raises(ValidationError, match="exists already"):
        services.profile_load(text=shipped_text("marac"), create_only=True)


def test_expected_key_must_match():
    with pytest.raises(ValidationError, match="defines profile “marac”, not “mdaplusplus”"):
        services.profile_load(text=shipped_text("marac"), expected_key="mdaplusplus")


def test_profile_check_writes_nothing(profile_yaml):
    before = snapshot()
    assert services.profile_check(text=profile_yaml())["key"] == "test-profile"
    assert snapshot() == before


def test_only_an_administrator_loads_profiles(profile_yaml, bob, alice):
    with pytest.raises(PermissionDenied):
        services.profile_load(text=profile_yaml(), actor=bob)
    assert not MethodProfile.objects.filter(key="test-profile").exists()
    services.profile_load(text=profile_yaml(), actor=alice)
    assert AuditEvent.objects.get(action="methods.profile_created").actor == alice


def test_deactivating_a_profile(alice):
    marac = MethodProfile.objects.get(key="marac")
    services.profile_set_active(actor=alice, profile=marac, is_active=False)
    assert not MethodProfile.objects.get(key="marac").is_active
    assert AuditEvent.objects.filter(action="methods.profile_deactivated").count() == 1
    assert list(selectors.active_profiles().values_list("key", flat=True)) == [
        "ketenaanpak-ifg",
        "mdaplusplus",
    ]
    # Saying the same again writes nothing.
    services.profile_set_active(actor=alice, profile=marac, is_active=False)
    assert AuditEvent.objects.filter(action="methods.profile_deactivated").count() == 1


# --- The profile's data -----------------------------------------------------------------


def test_profile_name_follows_the_active_language(settings):
    settings.LANGUAGE_CODE = "nl"  # the shipped default (tests otherwise run in English)
    profile = MethodProfile.objects.get(key="ketenaanpak-ifg")
    with translation.override("en"):
        assert profile.name == "Chain approach to intrafamily violence"
        assert str(profile) == profile.name
    with translation.override("nl-be"):
        assert profile.name == "Ketenaanpak intrafamiliaal geweld"
    with translation.override("fr"):  # not a language of the data: the site's default
        assert profile.name == "Ketenaanpak intrafamiliaal geweld"


def test_profile_parameters():
    marac = MethodProfile.objects.get(key="marac")
    ifg = MethodProfile.objects.get(key="ketenaanpak-ifg")
    assert marac.repeat_window_months == 12
    assert marac.escalation == {"incidents": 3, "window_months": 12}
    assert marac.meeting == {"frequency": {"count": 2, "per": "month"}, "minutes_per_case": 15}
    assert marac.locale_hint == "en-gb"
    assert [c["key"] for c in marac.referral_criteria] == [
        "dash-high-risk",
        "professional-judgement",
        "potential-escalation",
    ]
    assert ifg.escalation is None
    assert ifg.referral_criteria == []
    assert ifg.parameter("repeat_window_months", 6) == 12
    assert ifg.parameter("not_a_parameter", 6) == 6


# --- Which profile a region works with ----------------------------------------------------


def test_profile_for_region():
    region = Region.objects.create(name="Zuid", method_profile="mdaplusplus")
    assert selectors.profile_for_region(region).key == "mdaplusplus"


def test_a_deactivated_profile_stays_in_force_for_its_region(alice):
    region = Region.objects.create(name="Zuid", method_profile="marac")
    services.profile_set_active(
        actor=alice, profile=MethodProfile.objects.get(key="marac"), is_active=False
    )
    assert selectors.profile_for_region(region).key == "marac"


def test_an_unknown_profile_falls_back_to_ketenaanpak_ifg(caplog):
    region = Region.objects.create(name="Noord", method_profile="does-not-exist")
    with caplog.at_level(logging.WARNING, logger="ketenplan.methods.selectors"):
        assert selectors.profile_for_region(region).key == "ketenaanpak-ifg"
    assert "does-not-exist" in caplog.text


def test_an_empty_profile_key_falls_back_quietly(caplog):
    region = Region(name="Leeg", method_profile="")
    with caplog.at_level(logging.WARNING, logger="ketenplan.methods.selectors"):
        assert selectors.profile_for_region(region).key == "ketenaanpak-ifg"
    assert caplog.text == ""


def test_without_the_default_profile_the_fallback_says_what_to_do():
    MethodProfile.objects.filter(key="ketenaanpak-ifg").delete()
    region = Region(name="Leeg", method_profile="nope")
    with pytest.raises(MethodProfile.DoesNotExist, match="load_methods"):
        selectors.profile_for_region(region)


def test_profiles_for_many_regions_in_one_query(django_assert_num_queries):
    regions = [
        Region.objects.create(name=f"Regio {i}", method_profile=key)
        for i, key in enumerate(["marac", "mdaplusplus", "ketenaanpak-ifg", "unknown", "marac"])
    ]
    with django_assert_num_queries(1):
        profiles = selectors.profiles_for_regions(regions)
    assert [profiles[r.pk].key for r in regions] == [
        "marac",
        "mdaplusplus",
        "ketenaanpak-ifg",
        "ketenaanpak-ifg",
        "marac",
    ]


# --- Life domains -----------------------------------------------------------------------


def domains_text(*domains: tuple[str, str, str]) -> str:
    return as_yaml({"domains": [{"key": k, "name": {"nl": nl, "en": en}} for k, nl, en in domains]})


def shipped_domains_text() -> str:
    return definitions.SHIPPED_LIFE_DOMAINS.read_text(encoding="utf-8")


def test_loading_the_shipped_life_domains_again_changes_nothing():
    before = snapshot()
    result = services.life_domains_load(text=shipped_domains_text())
    assert set(result.outcomes.values()) == {LoadOutcome.UNCHANGED}
    assert not result.changed
    assert snapshot() == before


def test_loading_life_domains_adds_and_updates():
    result = services.life_domains_load(
        text=domains_text(
            ("safety", "Veiligheid", "Safety first"),
            ("spirituality", "Zingeving", "Meaning in life"),
        ),
        source="extra.yaml",
    )
    assert result.outcomes == {"safety": LoadOutcome.UPDATED, "spirituality": LoadOutcome.CREATED}
    assert LifeDomain.objects.get(key="safety").name_en == "Safety first"
    assert LifeDomain.objects.get(key="spirituality").order == 20
    assert LifeDomain.objects.get(key="justice").is_active  # not in the file: left alone
    event = AuditEvent.objects.get(action="methods.life_domains_loaded")
    assert event.detail == {
        "source": "extra.yaml",
        "created": ["spirituality"],
        "updated": ["safety"],
    }


def test_reloading_keeps_a_domain_an_administrator_deactivated(alice):
    justice = LifeDomain.objects.get(key="justice")
    justice.is_active = False
    services.life_domain_save(actor=alice, domain=justice)
    services.life_domains_load(text=shipped_domains_text())
    assert not LifeDomain.objects.get(key="justice").is_active
    assert "justice" not in selectors.active_life_domains().values_list("key", flat=True)


def test_malformed_life_domains_change_nothing():
    before = snapshot()
    with pytest.raises(DefinitionError):
        services.life_domains_load(
            text=domains_text(("safety", "Veiligheid", "Safety"), ("safety", "X", "Y"))
        )
    assert snapshot() == before


def test_life_domain_name_follows_the_active_language():
    domain = LifeDomain.objects.get(key="child-development")
    with translation.override("en"):
        assert domain.name == "Children's development"
    with translation.override("nl"):
        assert domain.name == "Ontwikkeling van de kinderen"


def test_life_domain_save_checks_the_key(alice):
    with pytest.raises(ValidationError):
        services.life_domain_save(
            actor=alice, domain=LifeDomain(key="Bad Key", name_nl="x", name_en="y", order=5)
        )
    assert not LifeDomain.objects.filter(name_nl="x").exists()
