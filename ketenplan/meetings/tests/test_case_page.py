"""The way into crisis consultations and escalations from the case: the actions on the case
page for whom the policy allows them, the list of the case's consultations and escalations
as far as the viewer may see them, and "Escalate" on an overdue or blocked action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.cases import services as case_services
from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at
from ketenplan.meetings import services
from ketenplan.meetings.models import Meeting, SteeringMember
from ketenplan.plans.models import Action

pytestmark = pytest.mark.django_db

VIDEO = "https://video.example/crisis-room-7"


def page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def call(world, case, **overrides):
    values = {
        "actor": world.case_director,
        "case": case,
        "starts_at": timezone.now() + timedelta(hours=2),
        "video_url": VIDEO,
        "reason": "The father was released this morning and is looking for her.",
        "invitees": [world.referrer],
    }
    values.update(overrides)
    return services.crisis_call(**values)


def action(world, case, *, due_in_days: int, **extra) -> Action:
    return Action.objects.create(
        case=case,
        description=extra.pop("description", "Find housing"),
        owner_organisation=world.welfare,
        due_on=timezone.localdate() + timedelta(days=due_in_days),
        created_by=world.coordinator,
        **extra,
    )


def test_the_actions_show_only_for_whom_the_policy_allows_them(client, world, case):
    crisis_url = f"/meetings/crisis/{case.pk}/"
    escalate_url = f"/meetings/escalations/new/{case.pk}/"
    for who in (world.case_director, world.coordinator):
        html = page(client, who, case)
        assert crisis_url in html and escalate_url in html, who
        assert "Call a crisis consultation" in html
    for who in (world.team_member, world.referrer):  # in the case, but do not direct it
        html = page(client, who, case)
        assert crisis_url not in html and escalate_url not in html, who
        assert client.get(crisis_url).status_code == 404
        assert client.get(escalate_url).status_code == 404


def test_a_closed_case_offers_neither(client, world):
    closed = case_at(world, Stage.CLOSED)
    html = page(client, world.case_director, closed)
    assert f"/meetings/crisis/{closed.pk}/" not in html
    assert f"/meetings/escalations/new/{closed.pk}/" not in html


def test_consultations_on_the_case_the_video_link_only_for_the_invitees(client, world, case):
    meeting = call(world, case)

    html = page(client, world.referrer, case)  # invited
    assert VIDEO in html and f"/meetings/{meeting.pk}/" in html

    html = page(client, world.team_member, case)  # sees the case, not invited
    assert "Crisis consultations" in html and "Planned" in html
    assert VIDEO not in html and f"/meetings/{meeting.pk}/" not in html
    assert "looking for her" not in html  # why it was called: for the invitees

    html = page(client, world.coordinator, case)  # may open it (takes part), not invited
    assert f"/meetings/{meeting.pk}/" in html and VIDEO not in html

    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(minutes=30), ends_at=timezone.now() + timedelta(minutes=15)
    )
    meeting.refresh_from_db()
    services.crisis_outcome_record(
        actor=world.case_director, meeting=meeting, outcome="Mother and child go to the shelter tonight."
    )
    html = page(client, world.team_member, case)  # the outcome is the case's
    assert "shelter tonight" in html and "Held" in html
    assert VIDEO not in page(client, world.referrer, case)  # over: no link to join any more


def test_escalations_on_the_case_as_far_as_the_viewer_may_see_them(client, world, case):
    steering = ProfessionalFactory(organisation=world.coordination, roles=[Role.PARTNER], mfa=True)
    SteeringMember.objects.create(region=world.region, professional=steering)
    escalation = services.escalation_raise(
        actor=world.case_director,
        case=case,
        kind="non_cooperating_partner",
        organisation=world.police,
        reason="No report from the police for six weeks.",
    )
    link = f"/meetings/escalations/{escalation.pk}/"
    for who in (world.case_director, world.coordinator):
        html = page(client, who, case)
        assert link in html and "six weeks" in html and "Open" in html, who
    html = page(client, world.team_member, case)  # not the escalation's audience
    assert link not in html and "six weeks" not in html

    services.escalation_handle(actor=steering, escalation=escalation, outcome="The chief promised a report.")
    html = page(client, world.coordinator, case)
    assert "Handled" in html and "chief promised" in html


def test_a_new_case_director_sees_the_escalations_of_the_case(client, world, case):
    escalation = services.escalation_raise(
        actor=world.case_director,
        case=case,
        kind="non_cooperating_partner",
        organisation=world.police,
        reason="No report from the police for six weeks.",
    )
    successor = ProfessionalFactory(organisation=world.welfare, roles=[Role.CASE_DIRECTOR], mfa=True)
    assert f"/meetings/escalations/{escalation.pk}/" not in page(client, successor, case)
    case_services.case_director_appoint(actor=world.coordinator, case=case, professional=successor)
    html = page(client, successor, case)
    assert f"/meetings/escalations/{escalation.pk}/" in html
    assert client.get(f"/meetings/escalations/{escalation.pk}/").status_code == 200


def test_an_overdue_or_blocked_action_links_to_an_escalation_with_the_action_filled_in(client, world, case):
    late = action(world, case, due_in_days=-3, description="Apply for a living wage")
    blocked = action(
        world, case, due_in_days=5, status=Action.Status.CANNOT_BE_DONE, status_reason="No answer"
    )
    on_time = action(world, case, due_in_days=5, description="Visit the school")
    base = f"/meetings/escalations/new/{case.pk}/"

    client.force_login(world.case_director)
    html = client.get(f"/cases/{case.pk}/execution/").content.decode()
    assert f"{base}?action={late.pk}" in html and f"{base}?action={blocked.pk}" in html
    assert f"{base}?action={on_time.pk}" not in html

    form = client.get(f"{base}?action={late.pk}").context["form"]
    assert form.initial == {"kind": "blocked_action", "action": late.pk}
    html = client.get(f"{base}?action={late.pk}").content.decode()
    assert f'<option value="{late.pk}" selected>' in html
    # Another case's action, or nonsense, is not taken over.
    other = action(world, case_at(world, Stage.EXECUTION), due_in_days=-3)
    assert client.get(f"{base}?action={other.pk}").context["form"].initial == {}
    assert client.get(f"{base}?action=x").context["form"].initial == {}
    partner = client.get(f"{base}?organisation={world.police.pk}").context["form"].initial
    assert partner == {"kind": "non_cooperating_partner", "organisation": world.police.pk}

    response = client.post(base, {"kind": "blocked_action", "action": late.pk, "reason": "Stuck for weeks."})
    assert response.status_code == 302

    client.force_login(world.team_member)  # may change the action, may not escalate
    html = client.get(f"/cases/{case.pk}/execution/").content.decode()
    assert base not in html


def test_the_case_page_costs_the_same_queries_with_many_consultations_and_escalations(
    client, world, case, django_assert_num_queries
):
    call(world, case)
    services.escalation_raise(
        actor=world.case_director,
        case=case,
        kind="non_cooperating_partner",
        organisation=world.police,
        reason="No report.",
    )
    client.force_login(world.case_director)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    for hours in (3, 4, 5):
        call(world, case, starts_at=timezone.now() + timedelta(hours=hours), invitees=[world.referrer])
    services.escalation_raise(
        actor=world.case_director,
        case=case,
        kind="blocked_action",
        action=action(world, case, due_in_days=-1),
        reason="Stuck.",
    )
    with django_assert_num_queries(len(few)):
        response = client.get(f"/cases/{case.pk}/")
    panel = response.context["crisis_and_escalations"]
    assert len(panel.consultations) == 4 and len(panel.escalations) == 2


def test_the_timeline_shows_consultations_and_escalations_without_their_content(client, world, case):
    steering = ProfessionalFactory(organisation=world.coordination, roles=[Role.PARTNER], mfa=True)
    SteeringMember.objects.create(region=world.region, professional=steering)
    meeting = call(world, case)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(minutes=30), ends_at=timezone.now() + timedelta(minutes=15)
    )
    meeting.refresh_from_db()
    services.crisis_outcome_record(actor=world.case_director, meeting=meeting, outcome="Shelter tonight.")
    escalation = services.escalation_raise(
        actor=world.case_director,
        case=case,
        kind="non_cooperating_partner",
        organisation=world.police,
        reason="No report from the police for six weeks.",
    )
    services.escalation_handle(actor=steering, escalation=escalation, outcome="The chief promised a report.")
    client.force_login(world.team_member)
    html = client.get(f"/cases/{case.pk}/timeline/").content.decode()
    for text in (
        "Crisis consultation called for",
        "Crisis consultation held: outcome recorded",
        "Escalated to the steering group: A partner does not cooperate",
        "Escalation handled by the steering group",
    ):
        assert text in html, text
    for secret in ("looking for her", "Shelter tonight", "six weeks", "chief promised"):
        assert secret not in html, secret
