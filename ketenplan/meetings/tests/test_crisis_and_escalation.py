"""Crisis consultations invite only partners in the case; escalations reach the steering
group, the next agenda and the coordinator's board."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.audit.models import AuditEvent
from ketenplan.meetings import agenda, services
from ketenplan.meetings.models import Escalation, Meeting, SteeringMember
from ketenplan.meetings.selectors import open_escalations
from ketenplan.plans.models import Action

from .factories import meeting_at, team

pytestmark = pytest.mark.django_db


def call(world, case, **overrides):
    values = {
        "actor": world.case_director,
        "case": case,
        "starts_at": timezone.now() + timedelta(hours=2),
        "video_url": "https://video.example/crisis",
        "reason": "The father was released this morning and is looking for her.",
        "invitees": [world.referrer],
    }
    values.update(overrides)
    return services.crisis_call(**values)


def test_inviting_someone_of_an_organisation_without_access_is_refused(world, case):
    with pytest.raises(ValidationError) as refused:
        call(world, case, invitees=[world.referrer, world.outsider])
    message = refused.value.message_dict["invitees"][0]
    assert world.outsider.full_name in message and str(world.addiction) in message
    assert "does not take part in this case" in message
    assert not Meeting.objects.filter(kind=Meeting.Kind.CRISIS).exists()  # nothing half-done

    meeting = call(world, case)
    with pytest.raises(ValidationError) as refused:
        services.crisis_invite(actor=world.case_director, meeting=meeting, professional=world.unsigned)
    assert "does not take part in this case" in refused.value.messages[0]
    services.crisis_invite(actor=world.case_director, meeting=meeting, professional=world.team_member)
    assert set(meeting.attendances.values_list("professional_id", flat=True)) == {
        world.case_director.pk,
        world.referrer.pk,
        world.team_member.pk,
    }


def test_the_refusal_is_shown_on_the_page(client, world, case):
    meeting = call(world, case)
    client.force_login(world.case_director)
    response = client.post(f"/meetings/{meeting.pk}/invite/", {"email": world.outsider.email}, follow=True)
    assert "does not take part in this case" in response.content.decode()


def test_a_crisis_consultation_is_within_hours_and_online(world, case):
    with pytest.raises(ValidationError) as refused:
        call(world, case, starts_at=timezone.now() + timedelta(days=5), video_url="")
    assert {"starts_at", "video_url"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError):
        call(world, case, starts_at=timezone.now() - timedelta(hours=2))
    with pytest.raises(Http404):  # not the case director, not a coordinator
        call(world, case, actor=world.team_member)


def test_only_invitees_see_the_consultation_and_the_outcome_goes_with_the_case(client, world, case):
    meeting = call(world, case)
    client.force_login(world.referrer)
    assert "looking for her" in client.get(f"/meetings/{meeting.pk}/").content.decode()
    client.force_login(world.team_member)  # welfare is in the case, but not invited
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    client.force_login(world.outsider)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404

    with pytest.raises(ValidationError):  # not yet taking place
        services.crisis_outcome_record(actor=world.case_director, meeting=meeting, outcome="Shelter found.")
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(minutes=30), ends_at=timezone.now() + timedelta(minutes=15)
    )
    meeting.refresh_from_db()
    services.crisis_outcome_record(
        actor=world.case_director, meeting=meeting, outcome="Mother and child go to the shelter tonight."
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.outcome_recorded_by == world.case_director
    assert AuditEvent.objects.filter(
        action="case.crisis_consultation_outcome", object_id=str(case.pk)
    ).exists()
    from ketenplan.meetings.selectors import case_crisis_consultations

    assert case_crisis_consultations(user=world.team_member, case=case) == [meeting]


def test_calling_through_the_page(client, world, case):
    client.force_login(world.case_director)
    page = client.get(f"/meetings/crisis/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert escape(world.referrer.full_name) in html and escape(world.outsider.full_name) not in html
    starts = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/meetings/crisis/{case.pk}/",
        {
            "starts_at": starts,
            "duration_minutes": 45,
            "video_url": "https://video.example/x",
            "reason": "Threats by phone.",
            "invitees": [world.referrer.pk],
        },
    )
    assert response.status_code == 302
    client.force_login(world.outsider)
    assert client.get(f"/meetings/crisis/{case.pk}/").status_code == 404


def blocked_action(world, case):
    return Action.objects.create(
        case=case,
        description="Find housing",
        owner_organisation=world.welfare,
        due_on=timezone.localdate() + timedelta(days=10),
        created_by=world.coordinator,
    )


def test_escalation_reaches_the_steering_group_the_agenda_and_the_board(
    world, case, smtp_sink, django_capture_on_commit_callbacks
):
    steering = ProfessionalFactory(organisation=world.coordination, roles=[Role.PARTNER], mfa=True)
    SteeringMember.objects.create(region=world.region, professional=steering)
    action = blocked_action(world, case)
    with django_capture_on_commit_callbacks(execute=True):
        escalation = services.escalation_raise(
            actor=world.case_director,
            case=case,
            kind="blocked_action",
            action=action,
            reason="No answer from the housing corporation for six weeks.",
        )
    (notice,) = smtp_sink.wait_for(1)
    assert notice["To"] == steering.email and case.reference in notice["Subject"]
    assert "housing corporation" not in notice.get_body(preferencelist=("plain",)).get_content()
    assert escalation.organisation == world.welfare

    assert list(open_escalations(user=world.coordinator)) == [escalation]
    assert list(open_escalations(user=steering)) == [escalation]
    assert list(open_escalations(user=world.case_director)) == [escalation]
    assert list(open_escalations(user=world.outsider)) == []

    series = team(world)
    meeting = meeting_at(world, series, timezone.now() + timedelta(days=1))
    first = agenda.propose(meeting)[0]
    assert (first.kind, first.escalation_id, first.urgent) == ("escalation", escalation.pk, True)

    with pytest.raises(ValidationError):
        services.escalation_raise(
            actor=world.case_director, case=case, kind="blocked_action", action=action, reason="Again"
        )
    with pytest.raises(Http404):
        services.escalation_handle(actor=world.coordinator, escalation=escalation, outcome="Done")
    services.escalation_handle(
        actor=steering, escalation=escalation, outcome="The alderman called the director."
    )
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.HANDLED
    assert list(open_escalations(user=world.coordinator)) == []
    assert "escalation" not in {p.kind for p in agenda.propose(meeting)}


def test_escalating_a_partner_that_does_not_take_part_is_refused(world, case):
    with pytest.raises(ValidationError) as refused:
        services.escalation_raise(
            actor=world.case_director,
            case=case,
            kind="non_cooperating_partner",
            organisation=world.addiction,
            reason="They do not answer.",
        )
    assert "organisation" in refused.value.message_dict
    with pytest.raises(Http404):
        services.escalation_raise(
            actor=world.team_member,
            case=case,
            kind="non_cooperating_partner",
            organisation=world.police,
            reason="x",
        )


def test_escalation_pages(client, world, case):
    client.force_login(world.case_director)
    response = client.post(
        f"/meetings/escalations/new/{case.pk}/",
        {
            "kind": "non_cooperating_partner",
            "organisation": world.police.pk,
            "reason": "No report for weeks.",
        },
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert client.get(f"/meetings/escalations/{escalation.pk}/").status_code == 200
    client.force_login(world.outsider)
    assert client.get(f"/meetings/escalations/{escalation.pk}/").status_code == 404
    assert client.get(f"/meetings/escalations/new/{case.pk}/").status_code == 404


def test_the_caller_keeps_the_minutes_of_the_consultation(world, case, django_capture_on_commit_callbacks):
    from ketenplan.meetings.models import AgendaItem, MinutesVersion

    meeting = call(world, case)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(minutes=20), ends_at=timezone.now() + timedelta(minutes=25)
    )
    meeting.refresh_from_db()
    (item,) = AgendaItem.objects.filter(meeting=meeting)
    decision = services.decision_record(
        actor=world.case_director,
        item=item,
        kind="action",
        text="Police drive past the house tonight.",
        owner=world.referrer,
        owner_organisation=world.police,
        due_on=timezone.localdate() + timedelta(days=1),
    )
    assert decision.action.case_id == case.pk
    with django_capture_on_commit_callbacks():
        services.minutes_approve(actor=world.case_director, meeting=meeting)
    assert MinutesVersion.objects.get(meeting=meeting).status == MinutesVersion.Status.APPROVED
    with pytest.raises(Http404):
        services.decision_record(actor=world.referrer, item=item, kind="note", text="x")
