"""Preparation packets show each attendee exactly what their organisation may see;
opening one needs the confidentiality statement and is audited as meeting preparation;
outsiders get "not found"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.audit.models import AuditEvent
from ketenplan.cases import services as case_services
from ketenplan.cases.models import Case, Stage
from ketenplan.cases.selectors import visible_cases
from ketenplan.cases.tests.factories import case_at, make_world, register
from ketenplan.dossier.models import Contribution
from ketenplan.meetings import services
from ketenplan.meetings.models import AgendaItem, Attendance
from ketenplan.meetings.packets import packet_for
from ketenplan.methods.models import LifeDomain
from ketenplan.plans.models import Action

from .factories import confirm, meeting_at, team

pytestmark = pytest.mark.django_db


def contribute(world, case, organisation, author, text, about=None):
    return Contribution.objects.create(
        case=case,
        organisation=organisation,
        author=author,
        life_domain=LifeDomain.objects.order_by("order").first(),
        text=text,
        occurred_on=timezone.localdate(),
        source="Own file",
        about_person=about,
    )


@pytest.fixture
def setting(world):
    """A registered case (police and the coordination point only) and a case in execution
    (every core partner, and the shelter added as partner), on one agenda."""
    registered = register(world, family_label="Family Registered")
    executing = case_at(world, Stage.EXECUTION, family_label="Family Executing")
    case_services.participation_add(actor=world.coordinator, case=executing, organisation=world.shelter)
    Action.objects.create(
        case=executing,
        description="Apply for a living wage",
        owner_organisation=world.welfare,
        due_on=timezone.localdate() - timedelta(days=4),
        created_by=world.coordinator,
    )
    mother = executing.members.order_by("pk").first().person
    contributions = {
        "police_family": contribute(
            world, executing, world.police, world.referrer, "Three call-outs this year."
        ),
        "welfare_family": contribute(
            world, executing, world.welfare, world.team_member, "Debts of 12,000 euro."
        ),
        "police_mother": contribute(
            world, executing, world.police, world.referrer, "Mother's statement to the police.", about=mother
        ),
        "registered": contribute(world, registered, world.police, world.referrer, "First call-out."),
    }
    series = team(world)
    meeting = meeting_at(world, series, timezone.now() + timedelta(days=1))
    shelter_worker = ProfessionalFactory(organisation=world.shelter, roles=[Role.PARTNER], mfa=True)
    for guest in (shelter_worker, world.outsider):
        Attendance.objects.create(
            meeting=meeting, professional=guest, organisation=guest.organisation, role=Attendance.Role.INVITED
        )
    services.agenda_prepare(actor=world.coordinator, meeting=meeting)
    return {
        "registered": registered,
        "executing": executing,
        "meeting": meeting,
        "shelter_worker": shelter_worker,
        "contributions": contributions,
    }


def shown(packet):
    return {entry.case.pk for entry in packet.items if entry.case is not None}


def test_packets_differ_per_organisation_exactly_as_the_policy_says(world, setting):
    meeting, registered, executing = setting["meeting"], setting["registered"], setting["executing"]
    agenda_cases = set(AgendaItem.objects.filter(meeting=meeting).values_list("case_id", flat=True))
    assert agenda_cases == {registered.pk, executing.pk}
    viewers = {
        "coordination point": world.coordinator,
        "police (referrer)": world.referrer,
        "welfare": world.team_member,
        "shelter (network partner in one case)": setting["shelter_worker"],
        "addiction care (in no case)": world.outsider,
    }
    expected = {
        "coordination point": {registered.pk, executing.pk},
        "police (referrer)": {registered.pk, executing.pk},
        "welfare": {executing.pk},
        "shelter (network partner in one case)": {executing.pk},
        "addiction care (in no case)": set(),
    }
    for label, viewer in viewers.items():
        packet = packet_for(user=viewer, meeting=meeting)
        policy_says = set(visible_cases(user=viewer).filter(pk__in=agenda_cases).values_list("pk", flat=True))
        assert shown(packet) == policy_says == expected[label], label
        # Every item is there, with its time; the ones not shared show nothing of the case.
        assert len(packet.items) == len(agenda_cases)
        for entry in packet.items:
            if not entry.visible:
                assert entry.case is None and entry.members == [] and entry.contributions == []


def test_packet_contributions_follow_the_dossier_scope_and_consent(world, setting):
    meeting, executing = setting["meeting"], setting["executing"]
    c = setting["contributions"]

    def contributions_of(viewer):
        packet = packet_for(user=viewer, meeting=meeting)
        entry = next(e for e in packet.items if e.case is not None and e.case.pk == executing.pk)
        return {x.pk for x in entry.contributions}

    # The police see their own statement about the mother; welfare does not, because the
    # mother gave no consent and no legal basis covers her (METHOD.md §4).
    assert contributions_of(world.referrer) == {
        c["police_family"].pk,
        c["welfare_family"].pk,
        c["police_mother"].pk,
    }
    assert contributions_of(world.team_member) == {c["police_family"].pk, c["welfare_family"].pk}
    assert c["registered"].pk not in contributions_of(world.team_member)


def test_a_contribution_names_the_person_it_is_about(world, setting):
    """Named from the case's members the packet already read; a person who is no member
    (any more) is named from the persons table, never left out."""
    from ketenplan.meetings.packets import latest_readable_contributions

    executing, mother = setting["executing"], setting["contributions"]["police_mother"].about_person
    packet = packet_for(user=world.referrer, meeting=setting["meeting"])
    entry = next(e for e in packet.items if e.case is not None and e.case.pk == executing.pk)
    about = {x.pk: x.about_person for x in entry.contributions}
    assert str(about[setting["contributions"]["police_mother"].pk]) == mother.full_name
    assert about[setting["contributions"]["police_family"].pk] is None
    contributions, _counts = latest_readable_contributions(world.referrer, [executing.pk], names={})
    named = {x.pk: x.about_person for x in contributions[executing.pk]}
    assert str(named[setting["contributions"]["police_mother"].pk]) == mother.full_name


def test_the_packet_page_needs_the_confidentiality_statement_and_is_audited(client, world, setting):
    meeting, registered, executing = setting["meeting"], setting["registered"], setting["executing"]
    client.force_login(world.team_member)
    url = f"/meetings/{meeting.pk}/packet/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].endswith(
        f"/meetings/{meeting.pk}/confidentiality/"
    )
    statement = client.get(response["Location"])
    assert meeting.series.confidentiality_statement[:40] in statement.content.decode()
    assert client.post(f"/meetings/{meeting.pk}/confidentiality/", {}).status_code == 200  # not ticked
    response = client.post(f"/meetings/{meeting.pk}/confidentiality/", {"confirm": "yes"})
    assert response.status_code == 302
    assert Attendance.objects.get(
        meeting=meeting, professional=world.team_member
    ).confidentiality_confirmed_at

    before = AuditEvent.objects.count()
    html = client.get(url).content.decode()
    assert "Family Executing" in html
    assert "Family Registered" not in html and registered.reference not in html
    assert "Debts of 12,000 euro." in html
    reads = list(AuditEvent.objects.order_by("pk"))[before:]
    assert {(e.action, e.object_type, e.object_id, e.purpose) for e in reads} == {
        ("meetings.packet_read", "cases.case", str(executing.pk), AuditEvent.Purpose.MEETING),
        ("meetings.packet_opened", "meetings.meeting", str(meeting.pk), AuditEvent.Purpose.MEETING),
    }
    assert all(e.actor_id == world.team_member.pk for e in reads)

    printable = client.get(f"/meetings/{meeting.pk}/packet/print/")
    assert printable.status_code == 200
    assert "meetings/meetings.css" in printable.content.decode()
    assert "Family Executing" in printable.content.decode()


def test_outsiders_get_not_found(client, world, setting):
    meeting = setting["meeting"]
    stranger = ProfessionalFactory(organisation=world.addiction, roles=[Role.TEAM_MEMBER], mfa=True)
    elsewhere = make_world()
    client.force_login(stranger)
    for path in ("", "packet/", "packet/print/", "confidentiality/", "minutes/", "invitation.ics"):
        assert client.get(f"/meetings/{meeting.pk}/{path}").status_code == 404, path
    client.force_login(elsewhere.coordinator)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/agenda/prepare/").status_code == 404


def test_the_agenda_page_links_each_item_as_the_viewer_may_see_it(client, world, setting):
    meeting, registered, executing = setting["meeting"], setting["registered"], setting["executing"]
    client.force_login(world.team_member)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f"/cases/{executing.pk}/" in html
    assert f"/cases/{registered.pk}/" not in html and "Family Registered" not in html
    assert "A case of another organisation" in html or "Een casus van een andere organisatie" in html
    client.force_login(world.referrer)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f"/cases/{registered.pk}/" in html and "Family Registered" in html
    # The case page itself stays closed to welfare: "not found".
    client.force_login(world.team_member)
    assert client.get(f"/cases/{registered.pk}/").status_code == 404


def test_network_partners_are_not_team_members(world):
    series = team(world)
    shelter_worker = ProfessionalFactory(organisation=world.shelter, roles=[Role.PARTNER], mfa=True)
    with pytest.raises(ValidationError) as refused:
        services.series_member_add(
            actor=world.coordinator, series=series, professional=shelter_worker, role="delegate"
        )
    assert "network partner" in str(refused.value)


def test_the_coordinator_confirms_too_before_reading(client, world, setting):
    meeting = setting["meeting"]
    client.force_login(world.coordinator)
    assert client.get(f"/meetings/{meeting.pk}/packet/").status_code == 302
    confirm(meeting, world.coordinator)
    assert client.get(f"/meetings/{meeting.pk}/packet/").status_code == 200
    assert Case.objects.count() >= 2


def test_the_packet_shows_the_latest_contributions_and_links_the_whole_dossier(client, world, setting):
    meeting, executing = setting["meeting"], setting["executing"]
    for i in range(6):
        contribute(world, executing, world.welfare, world.team_member, f"Home visit note {i}.")
    packet = packet_for(user=world.team_member, meeting=meeting)
    entry = next(e for e in packet.items if e.case is not None and e.case.pk == executing.pk)
    assert len(entry.contributions) == 5 and entry.contribution_count == 8  # 6 + two family-level ones
    confirm(meeting, world.team_member)
    client.force_login(world.team_member)
    html = client.get(f"/meetings/{meeting.pk}/packet/").content.decode()
    assert "The latest 5 of 8." in html and f"/cases/{executing.pk}/dossier/" in html
