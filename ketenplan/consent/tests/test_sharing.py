"""Who sees information about a person: consent status and scope, withdrawal, legal
basis, "not asked", children, confidential addresses, analysts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.audit.models import AuditEvent
from ketenplan.cases import services as case_services
from ketenplan.cases.models import Participation
from ketenplan.consent import policy as rules
from ketenplan.consent import services
from ketenplan.consent.models import Consent, ConsentStatus, LegalBasis, NotAsked
from ketenplan.core import policy
from ketenplan.dossier.models import Contribution
from ketenplan.persons.models import ContactDetail

from .conftest import contribute, participating_orgs

pytestmark = pytest.mark.django_db


def viewers(world):
    """One case-work professional per organisation."""
    return {
        "police": world.referrer,
        "coordination": world.coordinator,
        "welfare": world.team_member,
        "shelter": world.shelter_worker,
        "addiction": world.outsider,
    }


def who_sees(world, case, contribution) -> set[str]:
    """The organisations whose professional may read the contribution — per object and
    through the queryset condition, which must agree."""
    seen = set()
    for name, user in viewers(world).items():
        one = policy.can(user, "case.view", case) and rules.contribution_visible(user, contribution)
        in_bulk = Contribution.objects.filter(pk=contribution.pk).filter(
            rules.visible_contributions_q(user, case)
        ).exists() and policy.can(user, "case.view", case)
        across_cases = Contribution.objects.filter(pk=contribution.pk).filter(
            rules.visible_contributions_q(user)
        ).exists() and policy.can(user, "case.view", case)
        assert one == in_bulk == across_cases, (name, one, in_bulk, across_cases)
        if one:
            seen.add(name)
    return seen


EVERY_PARTICIPANT = {"police", "coordination", "welfare", "shelter"}


def record(world, case, member, status, **kwargs):
    values = {"obtained_how": "in_person"} if status != "asked" else {}
    values.update(kwargs)
    return services.consent_record(
        actor=world.team_member, case=case, person=member.person, status=status, **values
    )


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("none", {"police"}),
        ("asked", {"police"}),
        ("given_all", EVERY_PARTICIPANT),
        ("given_chosen", {"police", "shelter"}),
        ("refused", {"police"}),
        ("withdrawn", {"police"}),
        ("not_asked", {"police"}),
    ],
)
def test_each_consent_state_decides_exactly_who_sees_the_person(world, case, fam, setup, expected):
    about_sara = contribute(case, person=fam.sara.person, organisation=world.police, author=world.referrer)
    if setup == "asked":
        record(world, case, fam.sara, "asked")
    elif setup == "given_all":
        record(world, case, fam.sara, "given")
    elif setup == "given_chosen":
        record(world, case, fam.sara, "given", scope="chosen", organisations=[world.shelter])
    elif setup == "refused":
        record(world, case, fam.sara, "refused")
    elif setup == "withdrawn":
        record(world, case, fam.sara, "given")
        services.consent_withdraw(
            actor=world.team_member, case=case, person=fam.sara.person, obtained_how="phone"
        )
    elif setup == "not_asked":
        services.not_asked_record(
            actor=world.coordinator,
            case=case,
            person=fam.sara.person,
            reason="Asking her would alert him.",
            protects=fam.lina,
        )
    assert who_sees(world, case, about_sara) == expected


def test_the_contributing_organisation_and_family_level_items(world, case, fam):
    by_shelter = contribute(
        case, person=fam.kevin.person, organisation=world.shelter, author=world.shelter_worker
    )
    about_family = contribute(case, person=None, organisation=world.welfare, author=world.team_member)
    assert who_sees(world, case, by_shelter) == {"shelter"}
    assert who_sees(world, case, about_family) == EVERY_PARTICIPANT


def test_a_chosen_organisation_that_leaves_the_case_stops_seeing(world, case, fam, give):
    about_sara = contribute(case, person=fam.sara.person, organisation=world.police, author=world.referrer)
    give(case, fam.sara, scope="chosen", organisations=[world.shelter, world.addiction])
    assert who_sees(world, case, about_sara) == {"police", "shelter"}  # addiction takes no part
    Participation.objects.filter(case=case, organisation=world.shelter).update(until=timezone.now())
    assert who_sees(world, case, about_sara) == {"police"}


def test_withdrawal_hides_on_the_very_next_call(world, case, fam, give):
    about_sara = contribute(case, person=fam.sara.person, organisation=world.police, author=world.referrer)
    give(case, fam.sara)
    welfare = world.team_member
    assert rules.contribution_visible(welfare, about_sara)
    assert rules.shares_about(fam.sara.person, case, world.welfare)
    condition = rules.visible_contributions_q(welfare, case)  # built before the withdrawal
    assert Contribution.objects.filter(condition).filter(pk=about_sara.pk).exists()

    services.consent_withdraw(actor=welfare, case=case, person=fam.sara.person, obtained_how="phone")

    assert not rules.contribution_visible(welfare, about_sara)
    assert not rules.shares_about(fam.sara.person, case, world.welfare)
    assert not rules.sharing_map(case, world.welfare)[fam.sara.person_id]
    assert (
        not Contribution.objects.filter(rules.visible_contributions_q(welfare, case))
        .filter(pk=about_sara.pk)
        .exists()
    )
    assert (
        not Contribution.objects.filter(rules.visible_contributions_q(welfare))
        .filter(pk=about_sara.pk)
        .exists()
    )


def test_withheld_items_remain_countable_not_readable(world, case, fam, give):
    contribute(case, person=fam.sara.person, organisation=world.police, author=world.referrer)
    contribute(case, person=fam.kevin.person, organisation=world.police, author=world.referrer)
    give(case, fam.sara)
    condition = rules.visible_contributions_q(world.team_member, case)
    of_case = Contribution.objects.filter(case=case)
    assert of_case.filter(condition).count() == 1
    assert of_case.exclude(condition).count() == 1


def test_history_is_kept_and_the_latest_row_is_current(world, case, fam, give):
    record(world, case, fam.sara, "asked")
    give(case, fam.sara)
    services.consent_withdraw(actor=world.referrer, case=case, person=fam.sara.person, obtained_how="written")
    rows = list(Consent.objects.filter(case=case, person=fam.sara.person).order_by("pk"))
    assert [r.status for r in rows] == ["asked", "given", "withdrawn"]
    assert rules.current_consent(case, fam.sara.person).status == "withdrawn"
    first = rows[0]
    first.status = "given"
    with pytest.raises(ValueError):
        first.save()
    with pytest.raises(ValueError):
        first.delete()


def test_consent_can_be_given_again_after_a_withdrawal(world, case, fam, give):
    about_sara = contribute(case, person=fam.sara.person, organisation=world.police, author=world.referrer)
    give(case, fam.sara)
    services.consent_withdraw(actor=world.referrer, case=case, person=fam.sara.person, obtained_how="phone")
    give(case, fam.sara, scope="chosen", organisations=[world.welfare])
    assert who_sees(world, case, about_sara) == {"police", "welfare"}


def test_sharing_at_an_earlier_moment(world, case, fam, give):
    give(case, fam.sara)
    before_withdrawal = timezone.now()
    with time_machine.travel(before_withdrawal + timedelta(minutes=5)):
        services.consent_withdraw(
            actor=world.referrer, case=case, person=fam.sara.person, obtained_how="phone"
        )
    assert rules.shares_about(fam.sara.person, case, world.welfare, at=before_withdrawal)
    assert not rules.shares_about(fam.sara.person, case, world.welfare)
    assert rules.sharing_map(case, world.welfare, at=before_withdrawal)[fam.sara.person_id]


def test_withdrawing_needs_a_consent_given(world, case, fam):
    with pytest.raises(ValidationError):
        services.consent_withdraw(
            actor=world.referrer, case=case, person=fam.sara.person, obtained_how="phone"
        )
    record(world, case, fam.sara, "refused")
    with pytest.raises(ValidationError):
        services.consent_withdraw(
            actor=world.referrer, case=case, person=fam.sara.person, obtained_how="phone"
        )


def test_scope_rules_are_checked(world, case, fam):
    with pytest.raises(ValidationError):
        record(world, case, fam.sara, "given", scope="chosen", organisations=[])
    with pytest.raises(ValidationError):  # no cooperation agreement
        record(world, case, fam.sara, "given", scope="chosen", organisations=[world.unsigned_org])
    with pytest.raises(ValidationError):  # a refusal covers no organisations
        record(world, case, fam.sara, "refused", scope="chosen", organisations=[world.shelter])
    with pytest.raises(ValidationError):
        record(world, case, fam.sara, "given", obtained_on=date.today() + timedelta(days=1))
    with pytest.raises(ValidationError):
        record(world, case, fam.sara, "given", obtained_how="")
    assert not Consent.objects.exists()


# --- Legal basis -----------------------------------------------------------------------


def test_an_active_legal_basis_shares_and_an_ended_one_does_not(world, case, fam):
    about_kevin = contribute(case, person=fam.kevin.person, organisation=world.police, author=world.referrer)
    record(world, case, fam.kevin, "refused")
    assert who_sees(world, case, about_kevin) == {"police"}
    basis = services.legal_basis_record(
        actor=world.coordinator,
        case=case,
        person=fam.kevin.person,
        basis=LegalBasis.Basis.BE_CASE_CONFERENCE,
        justification="Case conference under the decree: acute risk to the children.",
        valid_until=date.today() + timedelta(days=90),
    )
    assert who_sees(world, case, about_kevin) == EVERY_PARTICIPANT
    services.legal_basis_end(actor=world.coordinator, legal_basis=basis, reason="Case conference ended.")
    assert who_sees(world, case, about_kevin) == {"police"}
    basis.refresh_from_db()
    assert basis.ended_by == world.coordinator and basis.end_reason


def test_a_legal_basis_lapses_at_its_end_date(world, case, fam):
    services.legal_basis_record(
        actor=world.coordinator,
        case=case,
        person=fam.kevin.person,
        basis=LegalBasis.Basis.UK_MARAC,
        justification="MARAC threshold met (DASH 16).",
        valid_until=date.today() + timedelta(days=10),
    )
    assert rules.shares_about(fam.kevin.person, case, world.welfare)
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        assert not rules.shares_about(fam.kevin.person, case, world.welfare)
        assert not rules.sharing_map(case, world.welfare)[fam.kevin.person_id]


def test_a_legal_basis_needs_the_coordinator_or_case_director_and_a_justification(world, case, fam):
    values = {
        "case": case,
        "person": fam.kevin.person,
        "basis": LegalBasis.Basis.NL_REPORTING_CODE,
        "justification": "Reported to Veilig Thuis.",
        "valid_until": date.today() + timedelta(days=30),
    }
    with pytest.raises(Exception) as refused:
        services.legal_basis_record(actor=world.team_member, **values)
    assert refused.type.__name__ in {"Http404", "PermissionDenied"}
    with pytest.raises(ValidationError):
        services.legal_basis_record(actor=world.coordinator, **{**values, "justification": " "})
    with pytest.raises(ValidationError):
        services.legal_basis_record(actor=world.coordinator, **{**values, "basis": "other"})
    with pytest.raises(ValidationError):
        services.legal_basis_record(
            actor=world.coordinator, **{**values, "valid_until": date.today() - timedelta(days=1)}
        )
    services.legal_basis_record(actor=world.coordinator, **values)
    with pytest.raises(ValidationError):  # one at a time
        services.legal_basis_record(actor=world.coordinator, **values)


def test_the_case_director_may_record_a_legal_basis(world):
    from ketenplan.cases.models import Stage
    from ketenplan.cases.tests.factories import case_at

    case = case_at(world, Stage.EXECUTION)
    member = case.members.first()
    basis = services.legal_basis_record(
        actor=world.case_director,
        case=case,
        person=member.person,
        basis="other",
        basis_text="Court order of 3 March",
        justification="The family judge ordered the exchange.",
        valid_until=date.today() + timedelta(days=30),
    )
    assert basis.label == "Court order of 3 March"


# --- Not asked -------------------------------------------------------------------------


def test_not_asked_is_no_consent_and_its_reason_is_visible_to_the_team(world, case, fam):
    from ketenplan.consent import selectors

    row = services.not_asked_record(
        actor=world.coordinator,
        case=case,
        person=fam.kevin.person,
        reason="Asking him would endanger Sara.",
        protects=fam.sara,
    )
    assert NotAsked.objects.get() == row
    assert not rules.shares_about(fam.kevin.person, case, world.welfare)
    states = {s.member.pk: s for s in selectors.person_states(user=world.shelter_worker, case=case)}
    assert states[fam.kevin.pk].deliberately_not_asked.reason == "Asking him would endanger Sara."
    assert states[fam.kevin.pk].status == ConsentStatus.NOT_ASKED
    with pytest.raises(ValidationError):
        services.not_asked_record(actor=world.coordinator, case=case, person=fam.kevin.person, reason="")
    with pytest.raises(Exception):  # not the coordinator nor the case director
        services.not_asked_record(actor=world.team_member, case=case, person=fam.kevin.person, reason="x")


def test_not_asked_is_refused_once_consent_is_given(world, case, fam, give):
    give(case, fam.kevin)
    with pytest.raises(ValidationError):
        services.not_asked_record(
            actor=world.coordinator, case=case, person=fam.kevin.person, reason="Safety"
        )


# --- Children --------------------------------------------------------------------------


def test_a_young_child_answers_through_a_parent_or_guardian(world, case, fam, give):
    # Lina is 9: below the default age of 12.
    with pytest.raises(ValidationError) as refused:
        give(case, fam.lina)
    assert "given_by" in refused.value.message_dict
    with pytest.raises(ValidationError):  # a guardian is another, adult member
        give(case, fam.lina, given_by=fam.lina)
    consent = give(case, fam.lina, given_by=fam.sara)
    assert consent.given_by == fam.sara
    assert rules.shares_about(fam.lina.person, case, world.welfare)


def test_from_the_configured_age_the_child_answers_itself(world, case, fam, give):
    with override_settings(CONSENT_CHILD_OWN_AGE=9):
        consent = give(case, fam.lina)
        assert consent.given_by is None
        with pytest.raises(ValidationError):
            give(case, fam.lina, given_by=fam.sara)
    with override_settings(CONSENT_CHILD_OWN_AGE=10), pytest.raises(ValidationError):
        give(case, fam.lina)


def test_the_child_answers_itself_from_its_birthday(world, case, fam, give):
    from ketenplan.persons.models import Person

    today = timezone.localdate()
    twelve_today = today.replace(year=today.year - 12) if (today.month, today.day) != (2, 29) else today
    Person.objects.filter(pk=fam.lina.person_id).update(birth_date=twelve_today + timedelta(days=1))
    fam.lina.person.refresh_from_db()
    with pytest.raises(ValidationError):  # still 11
        give(case, fam.lina)
    Person.objects.filter(pk=fam.lina.person_id).update(birth_date=twelve_today)
    fam.lina.person.refresh_from_db()
    assert give(case, fam.lina).given_by is None  # 12 today


def test_an_adult_answers_for_themselves(world, case, fam, give):
    with pytest.raises(ValidationError):
        give(case, fam.sara, given_by=fam.kevin)


def test_a_parent_may_withdraw_for_a_child(world, case, fam, give):
    give(case, fam.lina, given_by=fam.sara)
    services.consent_withdraw(
        actor=world.referrer, case=case, person=fam.lina.person, obtained_how="phone", given_by=fam.sara
    )
    assert not rules.shares_about(fam.lina.person, case, world.welfare)


# --- Confidential addresses ------------------------------------------------------------


def _address(world, person, organisation, author, confidential=True):
    return ContactDetail.objects.create(
        person=person,
        kind=ContactDetail.Kind.ADDRESS,
        value="Schuilstraat 1, 3000 Leuven",
        is_confidential=confidential,
        recorded_by_organisation=organisation,
        recorded_by=author,
    )


def who_sees_detail(world, case, detail, extra=()) -> set[str]:
    seen = set()
    users = {**viewers(world), **dict(extra)}
    for name, user in users.items():
        one = rules.contact_detail_visible(user, detail, case)
        bulk = (
            ContactDetail.objects.filter(pk=detail.pk)
            .filter(rules.visible_contact_details_q(user, case))
            .exists()
        )
        assert one == bulk, (name, one, bulk)
        if one:
            seen.add(name)
    return seen


def test_a_confidential_address_is_seen_by_the_recording_organisation_and_the_case_director(world, fam):
    from ketenplan.cases.models import Stage
    from ketenplan.cases.tests.factories import case_at

    case = case_at(world, Stage.EXECUTION)  # welfare's case director
    case_services.participation_add(actor=world.coordinator, case=case, organisation=world.shelter)
    sara = case.members.get(person__given_names="Sara")
    shelter_address = _address(world, sara.person, world.shelter, world.shelter_worker)
    director = {"director": world.case_director}
    # Without consent: the shelter only.
    assert who_sees_detail(world, case, shelter_address, director.items()) == {"shelter"}
    services.consent_record(
        actor=world.coordinator,
        case=case,
        person=sara.person,
        status="given",
        obtained_how="written",
        obtained_on=date.today(),
    )
    # With consent: still only the shelter and the case director, not their colleague.
    assert who_sees_detail(world, case, shelter_address, director.items()) == {"shelter", "director"}
    ordinary = _address(world, sara.person, world.shelter, world.shelter_worker, confidential=False)
    assert who_sees_detail(world, case, ordinary, director.items()) == EVERY_PARTICIPANT | {"director"}


def test_an_ordinary_contact_detail_follows_consent(world, case, fam, give):
    phone = _address(world, fam.kevin.person, world.police, world.referrer, confidential=False)
    assert who_sees_detail(world, case, phone) == {"police"}
    give(case, fam.kevin, scope="chosen", organisations=[world.welfare])
    assert who_sees_detail(world, case, phone) == {"police", "welfare"}


# --- Analysts and organisations without an agreement -----------------------------------


def test_analysts_are_granted_no_read_of_a_case_or_a_person(world, case, fam, give):
    give(case, fam.sara)
    about_sara = contribute(case, person=fam.sara.person, organisation=world.police, author=world.referrer)
    analyst = world.analyst  # works at the coordination point, which takes part
    assert not policy.can(analyst, "case.view", case)
    assert not policy.can(analyst, "consent.view", case)
    assert not policy.can(analyst, "consent.use")
    assert not rules.contribution_visible(analyst, about_sara)
    assert not Contribution.objects.filter(rules.visible_contributions_q(analyst)).exists()
    assert not Contribution.objects.filter(rules.visible_contributions_q(analyst, case)).exists()
    assert not ContactDetail.objects.filter(rules.visible_contact_details_q(analyst, case)).exists()
    assert not policy.scope(analyst, "consent.view", Consent.objects.all()).exists()
    assert not policy.can(analyst, "consent.emergency_open")


def test_an_organisation_without_a_signed_agreement_cannot_join_a_case(world, case):
    with pytest.raises(ValidationError) as refused:
        case_services.participation_add(actor=world.coordinator, case=case, organisation=world.unsigned_org)
    assert "organisation" in refused.value.message_dict
    assert not Participation.objects.filter(case=case, organisation=world.unsigned_org).exists()
    assert not policy.can(world.unsigned, "case.view", case)
    assert not policy.can(world.unsigned, "consent.emergency_open")


# --- Who may record ---------------------------------------------------------------------


def test_any_participating_professional_records_consent_outsiders_get_not_found(world, case, fam):
    from django.http import Http404

    for user in (world.referrer, world.team_member, world.shelter_worker, world.coordinator):
        services.consent_record(actor=user, case=case, person=fam.sara.person, status="asked")
    for outsider in (world.outsider, world.unsigned, world.analyst):
        with pytest.raises(Http404):
            services.consent_record(actor=outsider, case=case, person=fam.sara.person, status="asked")


def test_a_person_outside_the_family_is_refused(world, case):
    from ketenplan.persons.models import Person

    stranger = Person.objects.create(
        given_names="Stranger", family_name="X", created_by=world.coordinator, updated_by=world.coordinator
    )
    with pytest.raises(ValidationError):
        services.consent_record(actor=world.coordinator, case=case, person=stranger, status="asked")


# --- Audit ------------------------------------------------------------------------------


def test_every_write_leaves_an_audit_row_without_names(world, case, fam, give):
    consent = give(case, fam.sara, scope="chosen", organisations=[world.shelter])
    withdrawal = services.consent_withdraw(
        actor=world.referrer, case=case, person=fam.sara.person, obtained_how="phone"
    )
    not_asked = services.not_asked_record(
        actor=world.coordinator, case=case, person=fam.kevin.person, reason="Safety of Sara."
    )
    basis = services.legal_basis_record(
        actor=world.coordinator,
        case=case,
        person=fam.kevin.person,
        basis="uk_marac",
        justification="MARAC.",
        valid_until=date.today() + timedelta(days=5),
    )
    services.legal_basis_end(actor=world.coordinator, legal_basis=basis, reason="Done.")
    rows = AuditEvent.objects.filter(Q(action__startswith="consent.") | Q(action__startswith="legal_basis."))
    events = {(e.action, e.object_id): e for e in rows}
    assert ("consent.recorded", str(consent.pk)) in events
    assert events[("consent.recorded", str(consent.pk))].detail["organisations"] == [world.shelter.pk]
    assert ("consent.withdrawn", str(withdrawal.pk)) in events
    assert ("consent.not_asked", str(not_asked.pk)) in events
    assert ("legal_basis.recorded", str(basis.pk)) in events
    assert ("legal_basis.ended", str(basis.pk)) in events
    for event in events.values():
        text = str(event.detail)
        assert "Sara" not in text and "Kevin" not in text and "Peeters" not in text
        assert event.actor_id is not None and event.organisation_id is not None


def test_a_refused_write_leaves_nothing(world, case, fam):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.consent_record(
            actor=world.coordinator,
            case=case,
            person=fam.lina.person,
            status="given",
            obtained_how="phone",
            obtained_on=date.today(),
        )
    assert AuditEvent.objects.count() == before
    assert not Consent.objects.exists()


def test_case_participants_only_see_their_cases_consents(world, case, fam, give):
    give(case, fam.sara)
    other_world_user = ProfessionalFactory(roles=[Role.COORDINATOR])
    assert policy.scope(world.team_member, "consent.view", Consent.objects.all()).count() == 1
    assert policy.scope(world.outsider, "consent.view", Consent.objects.all()).count() == 0
    assert policy.scope(other_world_user, "consent.view", Consent.objects.all()).count() == 0


def test_participating_organisations_helper(world, case):
    for org in participating_orgs(world):
        assert rules.organisation_participates(case, org)
    assert not rules.organisation_participates(case, world.addiction)
