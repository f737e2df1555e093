"""Emergency access ("break the glass"): password, reason, duration, notice, review."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test.utils import override_settings
from django.utils import timezone

from ketenplan.accounts.tests.factories import PASSWORD
from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Case
from ketenplan.cases.tests.factories import make_world
from ketenplan.consent import policy as rules
from ketenplan.consent import selectors, services
from ketenplan.consent.models import EmergencyAccess
from ketenplan.consent.services import EmergencyAccessRefused
from ketenplan.core import policy

pytestmark = pytest.mark.django_db

REASON = "Called to the house: the father is there with a knife, the children inside."


def open_access(world, case, *, actor=None, password=PASSWORD, reason=REASON, reference=None):
    return services.emergency_access_open(
        actor=actor or world.outsider,
        reference=case.reference if reference is None else reference,
        password=password,
        reason=reason,
    )


def refusals(actor):
    return list(
        AuditEvent.objects.filter(actor=actor, action="emergency_access.refused").values_list(
            "detail__why", flat=True
        )
    )


def test_a_wrong_password_is_refused_and_recorded(world, case):
    with pytest.raises(EmergencyAccessRefused) as refused:
        open_access(world, case, password="not-my-password")
    assert "password" in refused.value.message_dict
    assert not EmergencyAccess.objects.exists()
    assert refusals(world.outsider) == ["wrong_password"]
    assert not rules.has_emergency_access(world.outsider, case)


def test_a_reason_is_required(world, case):
    with pytest.raises(EmergencyAccessRefused) as refused:
        open_access(world, case, reason="   ")
    assert "reason" in refused.value.message_dict
    assert not EmergencyAccess.objects.exists()


def test_nothing_about_a_case_leaks_before_the_password_is_right(world, case):
    """With a wrong password, an existing and a made-up reference get the same answer."""
    answers = []
    for reference in (case.reference, "2026-999999"):
        with pytest.raises(EmergencyAccessRefused) as refused:
            open_access(world, case, password="guess", reference=reference)
        answers.append(refused.value.message_dict)
    assert answers[0] == answers[1]


def test_unknown_and_other_region_references_get_one_message(world, case):
    elsewhere = make_world("Another district")
    from ketenplan.cases.models import Stage
    from ketenplan.cases.tests.factories import case_at

    other_case = case_at(elsewhere, Stage.REGISTERED)
    answers = []
    for reference in ("2026-999999", other_case.reference, ""):
        with pytest.raises(EmergencyAccessRefused) as refused:
            open_access(world, case, reference=reference)
        answers.append(refused.value.message_dict)
    assert answers[0] == answers[1] == answers[2]
    assert refusals(world.outsider) == ["unknown_reference"] * 3


def test_a_professional_who_has_access_already_is_refused(world, case):
    with pytest.raises(EmergencyAccessRefused):
        open_access(world, case, actor=world.team_member)
    assert refusals(world.team_member) == ["has_access"]


def test_analysts_and_organisations_without_agreement_cannot_break_the_glass(world, case):
    for user in (world.analyst, world.unsigned):
        with pytest.raises(EmergencyAccessRefused):
            open_access(world, case, actor=user)
    assert not EmergencyAccess.objects.exists()


def test_too_many_wrong_passwords_lock_the_page(world, case):
    for _attempt in range(services.EMERGENCY_PASSWORD_ATTEMPTS):
        with pytest.raises(EmergencyAccessRefused):
            open_access(world, case, password="wrong")
    with pytest.raises(EmergencyAccessRefused):
        open_access(world, case)  # the right password, but locked
    assert refusals(world.outsider)[-1] == "too_many_attempts"
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert open_access(world, case).pk


def test_access_lasts_the_configured_time_then_expires(world, case):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        access = open_access(world, case)
    assert access.expires_at == start + timedelta(minutes=60)
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert rules.has_emergency_access(world.outsider, case)
        assert list(Case.objects.filter(pk__in=rules.emergency_case_ids(world.outsider))) == [case]
        assert rules.access_purpose(world.outsider, case) == AuditEvent.Purpose.EMERGENCY
    with time_machine.travel(start + timedelta(minutes=60), tick=False):
        assert not rules.has_emergency_access(world.outsider, case)
        assert not Case.objects.filter(pk__in=rules.emergency_case_ids(world.outsider)).exists()
    # Nobody else gains anything from it.
    assert not rules.has_emergency_access(world.shelter_worker, case)
    assert not rules.has_emergency_access(world.team_member, case)


@override_settings(EMERGENCY_ACCESS_MINUTES=5)
def test_the_duration_is_read_from_the_settings_at_call_time(world, case):
    access = open_access(world, case)
    assert access.expires_at - access.opened_at == timedelta(minutes=5)


def test_a_second_opening_while_active_is_refused_and_allowed_after_expiry(world, case):
    open_access(world, case)
    with pytest.raises(EmergencyAccessRefused):
        open_access(world, case)
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert open_access(world, case).pk


def test_emergency_access_does_not_widen_what_is_shared_about_persons(world, case, fam, give):
    from .conftest import contribute

    give(case, fam.sara)
    about_sara = contribute(case, person=fam.sara.person, organisation=world.police, author=world.referrer)
    open_access(world, case)
    assert not rules.shares_about(fam.sara.person, case, world.addiction)
    assert not rules.contribution_visible(world.outsider, about_sara)
    # Nor does it allow writing or seeing the consent records.
    assert not policy.can(world.outsider, "consent.view", case)
    assert not policy.can(world.outsider, "consent.record", case)


def test_the_coordinators_are_emailed_at_once_with_no_personal_data(
    world, case, fam, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_access(world, case)
    messages = smtp_sink.wait_for(1)
    assert [m["To"] for m in messages] == [world.coordinator.email]
    message = messages[0]
    text = message["Subject"] + "\n" + message.get_content()
    assert case.reference in text
    assert world.outsider.full_name in text
    assert world.addiction.name in text
    assert "/cases/emergency/review/" in text
    forbidden = [case.family_label, "Peeters", "El Amrani", "Sara", "Kevin", "Lina", "knife", REASON]
    forbidden += [m.person.full_name for m in case.members.select_related("person")]
    for word in forbidden:
        assert word not in text, word


def test_no_email_when_the_opening_is_refused(world, case, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        open_access(world, case, password="wrong")
    assert mailoutbox == []


def test_the_opening_is_audited_as_emergency(world, case):
    access = open_access(world, case)
    event = AuditEvent.objects.get(action="emergency_access.opened")
    assert event.purpose == AuditEvent.Purpose.EMERGENCY
    assert event.object_id == str(access.pk) and event.actor_id == world.outsider.pk
    assert REASON not in str(event.detail)


# --- Review -----------------------------------------------------------------------------


def test_the_coordinator_reviews_and_the_review_is_kept(world, case):
    access = open_access(world, case)
    listed = list(selectors.emergency_reviews(user=world.coordinator))
    assert listed == [access]
    with pytest.raises(ValidationError):
        services.emergency_access_review(actor=world.coordinator, access=access, note="")
    services.emergency_access_review(
        actor=world.coordinator, access=access, note="Justified: police call-out."
    )
    access.refresh_from_db()
    assert access.is_reviewed and access.reviewed_by == world.coordinator
    assert list(selectors.emergency_reviews(user=world.coordinator, pending_only=True)) == []
    with pytest.raises(ValidationError):
        services.emergency_access_review(actor=world.coordinator, access=access, note="Again")
    assert (
        AuditEvent.objects.filter(action="emergency_access.reviewed", object_id=str(access.pk)).count() == 1
    )


def test_only_a_coordinator_of_the_case_reviews(world, case):
    access = open_access(world, case)
    for user in (world.team_member, world.case_director, world.outsider, world.analyst):
        with pytest.raises(Http404):
            services.emergency_access_review(actor=user, access=access, note="Fine")
        assert not policy.can(user, "consent.emergency_review", access)
    elsewhere = make_world("Far away")
    assert list(selectors.emergency_reviews(user=elsewhere.coordinator)) == []
    assert not policy.can(elsewhere.coordinator, "consent.emergency_review", access)


def test_nobody_reviews_their_own_emergency_access(world, case):
    from ketenplan.accounts.models import Role
    from ketenplan.accounts.tests.factories import ProfessionalFactory

    other_coordinator = ProfessionalFactory(organisation=world.addiction, roles=[Role.COORDINATOR])
    access = open_access(world, case, actor=other_coordinator)
    assert not policy.can(other_coordinator, "consent.emergency_review", access)


# --- The change the case rules need -----------------------------------------------------


def test_emergency_access_grants_case_view_for_its_duration_only(world, case):
    from ketenplan.cases.models import CaseMember
    from ketenplan.cases.selectors import case_get, case_visible_q, visible_cases

    def rows_of_the_case_seen():
        return CaseMember.objects.filter(case_visible_q(user=world.outsider, open_only=True)).count()

    members = case.members.count()
    assert members and rows_of_the_case_seen() == 0
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        open_access(world, case)
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        assert policy.can(world.outsider, "case.view", case)
        assert case_get(user=world.outsider, pk=case.pk) == case
        assert list(visible_cases(user=world.outsider)) == [case]
        # The same rule as a condition on other rows of the case (its members here).
        assert rows_of_the_case_seen() == members
        # Seeing is all: no step, contribution or consent record through emergency access.
        fetched = case_get(user=world.outsider, pk=case.pk)
        for action in ("case.contribute", "case.coordinate", "case.direct", "consent.record"):
            assert not policy.can(world.outsider, action, fetched), action
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert not policy.can(world.outsider, "case.view", case)
        assert rows_of_the_case_seen() == 0
        with pytest.raises(Http404):
            case_get(user=world.outsider, pk=case.pk)
