"""The access matrix (issue 4, proof): every URL pattern and every API endpoint, walked
with real objects, as professionals of every role inside and outside the case, with
consent given, refused, withdrawn and a legal basis.

* URL keyword arguments are filled from ``kwarg_values`` (a keyword → the object it
  names); a routed pattern whose keywords cannot be filled fails
  ``test_every_route_is_walked``, so adding a URL forces a decision here. Nothing is
  skipped: meetings (a team meeting and a crisis consultation), consultation hours,
  escalations, reporting-code guides, API tokens and information requests are built too.
* Objects that are not about one case (meetings, guides, tokens, requests...) have an
  explicit list of who may use them (``OBJECT_USERS``): those get 200 (405 when the page
  only takes POST), everyone else "not found"/"forbidden" — on GET and on POST.
* Markers: a police contribution about Sara, her confidential address, a decision in the
  minutes, the reason of a crisis consultation, a consultation-hour question, a
  reporting-code guide and an information request (question and answer about Sara) carry
  unique texts. On every page, for every viewer, a marker may appear only when the
  per-object rule allows it; on the pages that show them, they must appear when allowed.
* Outsiders (an organisation not in the case, one without an agreement, an analyst)
  get "not found"/"forbidden" on every page about the case and never a family name —
  not even in a meeting they attend where the case is on the agenda.

The world is built once per module (inside a transaction rolled back at the end); each
test runs in a savepoint within it.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.api import services as api_services
from ketenplan.api.models import ApiToken
from ketenplan.cases import services as case_services
from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.consent import services as consent_services
from ketenplan.consent.models import EmergencyAccess
from ketenplan.core import policy
from ketenplan.dossier import services as dossier_services
from ketenplan.dossier.models import Contribution
from ketenplan.meetings import services as meeting_services
from ketenplan.meetings.models import Attendance, ConsultationHour, SeriesMember, SteeringMember
from ketenplan.meetings.recurrence import slot_starts
from ketenplan.meetings.tests.factories import confirm, meeting_now, team
from ketenplan.methods.models import LifeDomain
from ketenplan.persons import services as person_services
from ketenplan.persons.models import ContactDetail
from ketenplan.plans import services as plan_services
from ketenplan.plans.models import Evaluation, Goal, PlanVersion, SafetyMeasure
from ketenplan.risk import services as risk_services

from .urlwalk import all_routes

pytestmark = pytest.mark.django_db

CONTRIBUTION_MARKER = "Marker-4417-police-knows-about-Sara"
ADDRESS_MARKER = "Marker-9921 Safe House Lane"
DECISION_MARKER = "Marker-5120-team-decides-about-the-family"
CRISIS_MARKER = "Marker-6631-why-the-crisis-consultation"
BOOKING_MARKER = "Marker-7745-question-at-the-consultation-hour"
GUIDE_MARKER = "Marker-8802-signals-in-the-reporting-code-guide"
REQUEST_MARKER = "Marker-3318-question-to-addiction-care"
ANSWER_MARKER = "Marker-3319-addiction-care-answers-about-Sara"
FAMILY_NAME = "El Amrani"

# Case-scoped patterns: the case is named by one of these keywords.
CASE_KWARGS = ("case_id", "case_pk")
CASE_PREFIXES = ("cases/<int:pk>/", "api/cases/<int:pk>/")


def build_world():
    w = make_world()
    w.shelter_worker = ProfessionalFactory(organisation=w.shelter, roles=[Role.PARTNER], mfa=True)
    w.dpo = ProfessionalFactory(organisation=w.coordination, roles=[Role.DATA_PROTECTION_OFFICER], mfa=True)
    w.case = case_at(w, Stage.EXECUTION)
    case_services.participation_add(
        actor=w.coordinator, case=w.case, organisation=w.shelter, reason="Shelter place"
    )
    w.case.refresh_from_db()
    w.others = {stage: case_at(w, stage) for stage in (Stage.REGISTERED, Stage.DOSSIER, Stage.CLOSED)}
    members = {m.person.given_names: m for m in w.case.members.select_related("person")}
    w.sara = members["Sara"]
    w.contribution = Contribution.objects.create(
        case=w.case,
        about_person=w.sara.person,
        life_domain=LifeDomain.objects.order_by("order").first(),
        organisation=w.police,
        author=w.referrer,
        text=CONTRIBUTION_MARKER,
        occurred_on=timezone.localdate(),
        source="Police report",
    )
    w.address = person_services.contact_detail_add(
        actor=w.referrer,
        person=w.sara.person,
        kind=ContactDetail.Kind.ADDRESS,
        value=ADDRESS_MARKER,
        is_confidential=True,
    )
    plan = PlanVersion.objects.filter(case=w.case).order_by("-number").first()
    w.plan = plan
    w.goal = Goal.objects.filter(plan_version=plan).first()
    w.measure = SafetyMeasure.objects.create(
        plan_version=plan,
        kind=SafetyMeasure.Kind.DIRECT,
        description="Alarm button.",
        responsible_organisation=w.police,
    )
    w.action = plan_services.action_create(
        actor=w.case_director,
        case=w.case,
        description="Ask the school about Lina.",
        owner_organisation=w.welfare,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    w.referral = plan_services.referral_create(
        actor=w.case_director, case=w.case, service="Perpetrator programme", organisation=w.welfare
    )
    plan_services.schedule_evaluations(case=w.case, plan_approved_on=timezone.localdate())
    w.evaluation = Evaluation.objects.filter(case=w.case).first()
    w.access = EmergencyAccess.objects.create(
        case=w.others[Stage.DOSSIER],
        professional=w.outsider,
        organisation=w.addiction,
        reason="Acute danger",
        opened_at=timezone.now() - timedelta(days=2),
        expires_at=timezone.now() - timedelta(days=1),
    )
    build_meetings(w)
    build_around_the_cases(w)
    return w


def build_meetings(w) -> None:
    """A team meeting under way with the case and a topic on the agenda, a decision in
    its draft minutes and two guests: the shelter (in the case) and addiction care (not
    in the case). A crisis consultation on the case, and an escalation."""
    series = team(w)
    w.series_member = SeriesMember.objects.get(series=series, professional=w.team_member)
    w.meeting = meeting_now(w, series)
    for guest in (w.shelter_worker, w.outsider):
        Attendance.objects.create(
            meeting=w.meeting,
            professional=guest,
            organisation=guest.organisation,
            role=Attendance.Role.INVITED,
            status=Attendance.Status.EXPECTED,
        )
    attendees = (w.coordinator, w.referrer, w.team_member, w.case_director, w.shelter_worker, w.outsider)
    confirm(w.meeting, *attendees)
    w.item = meeting_services.agenda_item_add(actor=w.coordinator, meeting=w.meeting, case=w.case, minutes=15)
    meeting_services.agenda_item_add(actor=w.coordinator, meeting=w.meeting, title="Annual figures")
    w.decision = meeting_services.decision_record(
        actor=w.coordinator, item=w.item, kind="note", text=DECISION_MARKER
    )
    w.crisis = meeting_services.crisis_call(
        actor=w.case_director,
        case=w.case,
        starts_at=timezone.now() + timedelta(hours=2),
        video_url="https://video.example/crisis",
        reason=CRISIS_MARKER,
        invitees=[w.referrer],
    )
    confirm(w.crisis, w.referrer, w.case_director, w.coordinator)
    w.escalation = meeting_services.escalation_raise(
        actor=w.case_director,
        case=w.case,
        kind="blocked_action",
        action=w.action,
        reason="No answer from the school for six weeks.",
    )


def build_around_the_cases(w) -> None:
    """A consultation hour staffed by the coordinator with a sign-up of the team member;
    the referrer's calendar feed; a reporting-code guide of welfare; the team member's API
    token; an information request of the police to addiction care about Sara, answered."""
    w.hour = meeting_services.consultation_hour_save(
        actor=w.coordinator,
        kind=ConsultationHour.Kind.VIDEO,
        weekday=1,
        start_time=time(10, 0),
        duration_minutes=60,
        slot_minutes=20,
        video_url="https://video.example/consult",
        staff=[w.coordinator],
    )
    today = timezone.localdate()
    moments = slot_starts(w.hour, start=today, end=today + timedelta(weeks=2))
    starts = [s for s in moments if s > timezone.now()]
    w.booking = meeting_services.booking_create(
        hour=w.hour, starts_at=starts[0], question=BOOKING_MARKER, actor=w.team_member
    )
    _feed, w.feed_token = meeting_services.calendar_feed_create(actor=w.referrer)
    w.guide = risk_services.guide_start(actor=w.team_member, title="Pupil group 5, bruises")
    w.guide = risk_services.guide_update(actor=w.team_member, guide=w.guide, values={"signals": GUIDE_MARKER})
    api_services.api_token_create(actor=w.team_member, name="Case system", valid_days=30)
    w.token = ApiToken.objects.get(professional=w.team_member)
    w.request = dossier_services.information_request_create(
        actor=w.referrer,
        case=w.case,
        to_organisation=w.addiction,
        question=REQUEST_MARKER,
        due_on=today + timedelta(days=7),
        about_person=w.sara.person,
    )
    w.request = dossier_services.information_request_answer(
        actor=w.outsider, request_obj=w.request, answer=ANSWER_MARKER, expected_version=w.request.version
    )


def kwarg_values(w) -> dict:
    return {
        "pk": w.case.pk,
        "case_id": w.case.pk,
        "case_pk": w.case.pk,
        "person_pk": w.sara.person_id,
        "contribution_pk": w.contribution.pk,
        "member_pk": w.sara.pk,
        "goal_pk": getattr(w.goal, "pk", None),
        "measure_pk": getattr(w.measure, "pk", None),
        "number": getattr(w.plan, "number", None),
        "action_pk": w.action.pk,
        "referral_pk": w.referral.pk,
        "evaluation_pk": getattr(w.evaluation, "pk", None),
        "access_pk": w.access.pk,
        "basis_pk": None,  # filled once a legal basis is recorded (see set_consent)
        "attachment_pk": None,  # filled by worlds that upload one (dossier tests)
        # Meetings and what is around the cases.
        "meeting_pk": w.meeting.pk,
        "series_member_pk": w.series_member.pk,
        "attendance_pk": Attendance.objects.get(meeting=w.meeting, professional=w.referrer).pk,
        "item_pk": w.item.pk,
        "op": "up",
        "decision_pk": w.decision.pk,
        "escalation_pk": w.escalation.pk,
        "hour_pk": w.hour.pk,
        "booking_pk": w.booking.pk,
        "guide_pk": w.guide.pk,
        "token_pk": w.token.pk,
        "request_pk": w.request.pk,
        "token": w.feed_token,
    }


# ``pk`` names a different object under these prefixes (the longest prefix wins).
PK_BY_PREFIX = {
    "persons/": "person_pk",
    "meetings/": "meeting_pk",
    "meetings/schedule/members/": "series_member_pk",
    "meetings/escalations/": "escalation_pk",
    "meetings/consultations/bookings/": "booking_pk",
    "meetings/consultations/sign-ups/": "booking_pk",
    "meetings/consultations/hours/": "hour_pk",
    "reporting-code/": "guide_pk",
    "api/tokens/": "token_pk",
}
# A meeting's pages are walked for the team meeting and for the crisis consultation.
MEETING_PREFIX = "meetings/<int:pk>/"


def is_case_route(route) -> bool:
    return route.route.startswith(CASE_PREFIXES) or any(f"<int:{k}>" in route.route for k in CASE_KWARGS)


def fill(route, values) -> str | None:
    """The route's path with real objects, or None when a keyword has no object."""
    path = route.route
    prefixes = [p for p in PK_BY_PREFIX if path.startswith(p)]
    if prefixes:
        values = {**values, "pk": values.get(PK_BY_PREFIX[max(prefixes, key=len)])}
    for name in re.findall(r"<(?:\w+:)?(\w+)>", path):
        value = values.get(name)
        if value is None:
            return None
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path, count=1)
    return "/" + path


def walks(route, w, values) -> list[tuple[str, str]]:
    """``(key, path)`` for each object the route is walked with; the key names the
    expectation in ``OBJECT_USERS`` (the route's name, or ``name@crisis``)."""
    path = fill(route, values)
    if path is None:
        return []
    out = [(route.name, path)]
    if route.route.startswith(MEETING_PREFIX):
        out.append((f"{route.name}@crisis", fill(route, {**values, "meeting_pk": w.crisis.pk})))
    return out


def own_get_routes():
    return [r for r in all_routes() if r.is_own and r.access_policy not in (None, policy.PUBLIC)]


# --- Who may see what --------------------------------------------------------------------

VIEWERS = (
    "coordinator",
    "referrer",
    "team_member",
    "case_director",
    "shelter_worker",
    "outsider",
    "unsigned",
    "analyst",
    "dpo",
)
PARTICIPANTS = {"coordinator", "referrer", "team_member", "case_director", "shelter_worker"}
OUTSIDERS = {"outsider", "unsigned", "analyst", "dpo"}
# The access-request export and "who has seen": everything about the person, for the
# coordinator and the data-protection officer answering the person's own request.
PRIVACY_ROUTES = {"persons:who_has_seen", "persons:access_export"}
PRIVACY_VIEWERS = {"coordinator", "dpo"}

# Who may use each object that is not a case page: they get 200 (405 when the page takes
# only POST); every other viewer gets 403/404 on GET and on POST.
EVERY_PROFESSIONAL = set(VIEWERS) - {"analyst"}  # any organisation; analysts hold figures only
WORKS_ON_CASES = EVERY_PROFESSIONAL - {"dpo"}
TEAM_MEETING = PARTICIPANTS | {"outsider"}  # its delegates, substitute and two guests
# The caller, the invitee, and the coordinator (who takes part in the case and manages it).
CRISIS = {"case_director", "referrer", "coordinator"}
WELFARE = {"team_member", "case_director"}
REQUEST = PARTICIPANTS | {"outsider"}  # the case's organisations and the addressed one
_MEETING_PAGES = {
    # page: (team meeting, crisis consultation)
    "detail": (TEAM_MEETING, CRISIS),
    "ics": (TEAM_MEETING, CRISIS),
    "apologise": (TEAM_MEETING, CRISIS),
    "attendance": ({"coordinator"}, set()),  # the attendance row belongs to the team meeting
    "cancel": ({"coordinator"}, {"case_director", "coordinator"}),
    "confidentiality": (TEAM_MEETING, CRISIS),
    "packet": (TEAM_MEETING, CRISIS),
    "packet_print": (TEAM_MEETING, CRISIS),
    "agenda_prepare": ({"coordinator"}, {"coordinator"}),  # coordinators only, a crisis too
    "agenda_add": ({"coordinator"}, {"coordinator"}),
    "agenda_item": ({"coordinator"}, set()),  # the item belongs to the team meeting
    "minutes": (TEAM_MEETING, CRISIS),
    "minutes_sending": (TEAM_MEETING, CRISIS),
    "decide": ({"coordinator"}, set()),
    "decision_text": ({"coordinator"}, set()),
    "review": ({"coordinator"}, {"case_director"}),
    "minutes_approve": ({"coordinator"}, {"case_director"}),
    "minutes_correct": ({"coordinator"}, {"case_director", "coordinator"}),
    # The coordinator manages both meetings (on a team meeting the service refuses).
    "crisis_invite": ({"coordinator"}, {"case_director", "coordinator"}),
    "crisis_outcome": ({"coordinator"}, {"case_director", "coordinator"}),
}
OBJECT_USERS: dict[str, set[str]] = {
    **{f"meetings:{page}": team for page, (team, _crisis) in _MEETING_PAGES.items()},
    **{f"meetings:{page}@crisis": crisis for page, (_team, crisis) in _MEETING_PAGES.items()},
    "meetings:list": WORKS_ON_CASES,
    "meetings:schedule": {"coordinator"},
    "meetings:member_add": {"coordinator"},
    "meetings:member_remove": {"coordinator"},
    "meetings:crisis_new": {"case_director", "coordinator"},
    "meetings:escalations": WORKS_ON_CASES,
    "meetings:escalation": {"case_director", "coordinator"},
    "meetings:escalation_new": {"case_director", "coordinator"},
    "meetings:consultations": EVERY_PROFESSIONAL,
    "meetings:consultation_book": EVERY_PROFESSIONAL,
    "meetings:booking_cancel": {"team_member"},
    "meetings:consultation_signups": {"coordinator"},
    "meetings:consultation_advice": {"coordinator"},
    "meetings:consultation_hours": {"coordinator"},
    "meetings:consultation_hour_new": {"coordinator"},
    "meetings:consultation_hour_edit": {"coordinator"},
    "meetings:calendar": EVERY_PROFESSIONAL,
    "reporting:guides": WORKS_ON_CASES,
    "reporting:guide": WELFARE,
    "reporting:consultation_add": WELFARE,
    "reporting:decide": WELFARE,
    "reporting:summary": WELFARE,
    "api:token_revoke": {"team_member"},
    "consent:emergency_review": {"coordinator"},  # a coordinator in the case reviews
    "consent:emergency_opened": {"outsider"},  # who broke the glass
    "dossier:request_detail": REQUEST,
    "dossier:request_answer": {"outsider"},
    "dossier:request_decline": {"outsider"},
    "dossier:request_withdraw": {"referrer"},
    "api:information_request_detail": REQUEST,
    "api:information_request_answer": {"outsider"},
    "api:information_request_decline": {"outsider"},
    "api:information_request_withdraw": {"referrer"},
}


# Who may read an object without acting on it: an empty POST there may also get 400
# (the form is refused before the action is) — nothing changes, nothing leaks.
SEES = {
    f"{prefix}{step}": REQUEST
    for prefix in ("dossier:request_", "api:information_request_")
    for step in ("answer", "decline", "withdraw")
}


def may_see_contribution(state: str) -> set[str]:
    if state in ("given", "legal_basis"):
        return set(PARTICIPANTS)
    return {"referrer"}  # the police contributed it


def may_see_address(state: str) -> set[str]:
    if state in ("given", "legal_basis"):
        return {"referrer", "case_director"}
    return {"referrer"}


def may_see_answer(state: str) -> set[str]:
    """Addiction care's answer about Sara is information about her: it reaches the case's
    organisations (the asking police too) only under her consent or a legal basis."""
    if state in ("given", "legal_basis"):
        return PARTICIPANTS | {"outsider"}
    return {"outsider"}


def marker_readers(state: str) -> dict[str, set[str]]:
    """Per marker: who may see it (anywhere) in this consent state."""
    return {
        CONTRIBUTION_MARKER: may_see_contribution(state),
        ADDRESS_MARKER: may_see_address(state),
        DECISION_MARKER: TEAM_MEETING - {"outsider"},  # minutes: who sees the meeting and the case
        CRISIS_MARKER: CRISIS,
        BOOKING_MARKER: {"team_member", "coordinator"},  # who asked, and the hour's staff
        GUIDE_MARKER: WELFARE,
        REQUEST_MARKER: REQUEST,
        ANSWER_MARKER: may_see_answer(state),
    }


def set_consent(w, state: str):
    """Sara's consent (or legal basis) in ``state``; returns the legal basis, if any."""
    if state == "refused":
        consent_services.consent_record(
            actor=w.coordinator,
            case=w.case,
            person=w.sara.person,
            status="refused",
            obtained_on=date.today(),
            obtained_how="in_person",
        )
    elif state in ("given", "withdrawn"):
        consent_services.consent_record(
            actor=w.coordinator,
            case=w.case,
            person=w.sara.person,
            status="given",
            obtained_on=date.today(),
            obtained_how="in_person",
            scope="all_partners",
        )
        if state == "withdrawn":
            consent_services.consent_withdraw(
                actor=w.coordinator,
                case=w.case,
                person=w.sara.person,
                obtained_on=date.today(),
                obtained_how="in_person",
            )
    elif state == "legal_basis":
        return consent_services.legal_basis_record(
            actor=w.coordinator,
            case=w.case,
            person=w.sara.person,
            basis="be_case_conference",
            justification="Case conference decided to share.",
            valid_until=date.today() + timedelta(days=90),
        )
    return None


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    """The module's world for one test (which runs in a savepoint within it)."""
    for obj in (world.case, world.sara, world.sara.person, world.request):
        obj.refresh_from_db()
    return world


@pytest.fixture
def clients(w):
    """One signed-in test client per viewer."""
    out = {}
    for name in VIEWERS:
        out[name] = Client()
        out[name].force_login(getattr(w, name))
    return out


def test_every_route_is_walked(w):
    """Adding a URL without deciding how it is walked fails here: its keywords need an
    object in ``kwarg_values``; when it is not a case page, who may use it goes into
    ``OBJECT_USERS``."""
    values = kwarg_values(w)
    values["attachment_pk"] = 1
    values["basis_pk"] = 1
    routes = own_get_routes()
    unfilled = [r.route for r in routes if fill(r, values) is None]
    assert unfilled == [], "Give these URL keywords an object in kwarg_values():\n" + "\n".join(unfilled)
    undecided = [
        key
        for r in routes
        if r.has_parameters and not is_case_route(r) and r.name not in PRIVACY_ROUTES
        for key, _path in walks(r, w, values)
        if key not in OBJECT_USERS
    ]
    assert undecided == [], "Say in OBJECT_USERS who may use:\n" + "\n".join(undecided)
    stale = set(OBJECT_USERS) - {key for r in routes for key, _path in walks(r, w, values)}
    assert stale == set(), f"OBJECT_USERS names pages that no longer exist: {sorted(stale)}"


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _get(client, path):
    response = client.get(path, HTTP_ACCEPT="text/html,application/json")
    return response.status_code, _body(response)


def _post(client, path):
    response = client.post(path, {}, HTTP_ACCEPT="text/html,application/json")
    return response.status_code, _body(response)


@pytest.mark.parametrize("state", ["refused", "given", "withdrawn", "legal_basis"])
def test_the_matrix(w, clients, state):
    basis = set_consent(w, state)
    values = {**kwarg_values(w), "basis_pk": getattr(basis, "pk", None)}
    readers = marker_readers(state)
    leaks, wrong_status, seen = [], [], {marker: set() for marker in readers}
    for route in own_get_routes():
        case_route = is_case_route(route)
        privacy_route = route.name in PRIVACY_ROUTES
        for key, path in walks(route, w, values):
            users = OBJECT_USERS.get(key)
            for name in VIEWERS:
                status, body = _get(clients[name], path)
                if privacy_route:
                    if name in PRIVACY_VIEWERS:
                        assert status == 200, (name, path, status)
                    else:
                        assert status in (403, 404), (name, path, status)
                        assert CONTRIBUTION_MARKER not in body and FAMILY_NAME not in body
                    continue
                for marker, allowed in readers.items():
                    if marker in body:
                        seen[marker].add(name)
                        if name not in allowed:
                            leaks.append(f"{name} sees {marker} on {path} ({key})")
                addressee_page = key.endswith("request_detail") and name == "outsider"
                if name in OUTSIDERS and FAMILY_NAME in body and not addressee_page:
                    leaks.append(f"{name} sees the family on {path}")
                if users is not None:
                    # 405: the page takes only POST (checked below for who may not).
                    expected = (200, 405) if name in users else (403, 404, 405)
                    if status not in expected:
                        wrong_status.append(f"{name} gets {status} on GET {path} ({key})")
                    if status == 405 and name not in users:
                        # The page takes only POST: one who may not use the object is
                        # refused there too, and learns nothing.
                        post_status, post_body = _post(clients[name], path)
                        refused = (403, 404, 400) if name in SEES.get(key.split("@")[0], ()) else (403, 404)
                        if post_status not in refused:
                            wrong_status.append(f"{name} gets {post_status} on POST {path} ({key})")
                        for marker, allowed_readers in readers.items():
                            if marker in post_body and name not in allowed_readers:
                                leaks.append(f"{name} sees {marker} on POST {path} ({key})")
                    continue
                if name in OUTSIDERS and case_route and status not in (403, 404, 405):
                    wrong_status.append(f"{name} gets {status} on {path}")
                if name in PARTICIPANTS and route.name == "cases:detail" and status != 200:
                    wrong_status.append(f"{name} gets {status} on {path}")
    assert not leaks, "\n".join(leaks)
    assert not wrong_status, "\n".join(wrong_status)
    # Those who may see a marker do see it somewhere (the dossier, the API, the minutes,
    # the consultation's page, the sign-ups, the guide, the request).
    for marker, allowed in readers.items():
        if marker == ADDRESS_MARKER:
            # No page lists contact details yet; when one does, it must follow the rule.
            assert seen[marker] <= allowed
        elif marker == BOOKING_MARKER:
            # The staff read the question on the sign-ups; who asked it is not shown it again.
            assert "coordinator" in seen[marker] and seen[marker] <= allowed
        else:
            assert seen[marker] == allowed, marker


def test_the_calendar_feed_names_no_family(client, w):
    response = client.get(f"/meetings/calendar/feed/{w.feed_token}.ics")
    assert response.status_code == 200
    body = _body(response)
    assert "BEGIN:VEVENT" in body and w.case.reference in body  # the crisis consultation
    for word in (FAMILY_NAME, "Sara", "Kevin", "Lina", CRISIS_MARKER, DECISION_MARKER, BOOKING_MARKER):
        assert word not in body
    assert client.get("/meetings/calendar/feed/not-the-token.ics").status_code == 404


@pytest.mark.parametrize("path", ["/cases/{pk}/dossier/", "/api/cases/{pk}/contributions/"])
def test_withdrawal_hides_on_the_very_next_request(clients, w, path):
    set_consent(w, "given")
    url = path.format(pk=w.case.pk)
    assert CONTRIBUTION_MARKER in _get(clients["team_member"], url)[1]
    consent_services.consent_withdraw(
        actor=w.coordinator,
        case=w.case,
        person=w.sara.person,
        obtained_on=date.today(),
        obtained_how="in_person",
    )
    assert CONTRIBUTION_MARKER not in _get(clients["team_member"], url)[1]
    assert CONTRIBUTION_MARKER in _get(clients["referrer"], url)[1]


def test_withdrawal_hides_the_meeting_packet_and_the_answer_on_the_very_next_request(clients, w):
    set_consent(w, "given")
    packet = f"/meetings/{w.meeting.pk}/packet/"
    answer = f"/cases/information-requests/{w.request.pk}/"
    assert CONTRIBUTION_MARKER in _get(clients["team_member"], packet)[1]
    assert ANSWER_MARKER in _get(clients["team_member"], answer)[1]
    consent_services.consent_withdraw(
        actor=w.coordinator,
        case=w.case,
        person=w.sara.person,
        obtained_on=date.today(),
        obtained_how="in_person",
    )
    assert CONTRIBUTION_MARKER not in _get(clients["team_member"], packet)[1]
    assert ANSWER_MARKER not in _get(clients["team_member"], answer)[1]
    assert ANSWER_MARKER in _get(clients["outsider"], answer)[1]


def test_notifications_carry_no_personal_data(w, django_capture_on_commit_callbacks):
    """Every e-mail these actions send (emergency access notice, information request,
    crisis consultation invitations, escalation notice, consultation-hour sign-up to the
    professional and the staff) holds no name, marker or free text about the family."""
    from ketenplan.accounts.tests.factories import PASSWORD

    set_consent(w, "given")
    steering = ProfessionalFactory(organisation=w.coordination, roles=[Role.COORDINATOR], mfa=True)
    SteeringMember.objects.create(region=w.region, professional=steering)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consent_services.emergency_access_open(
            actor=w.outsider,
            reference=w.case.reference,
            password=PASSWORD,
            reason="Sara is at our door; Kevin is outside.",
        )
        dossier_services.information_request_create(
            actor=w.coordinator,
            case=w.case,
            to_organisation=w.addiction,
            question="Does Kevin Peeters attend your programme?",
            due_on=date.today() + timedelta(days=7),
            about_person=w.sara.person,
        )
        meeting_services.crisis_call(
            actor=w.case_director,
            case=w.case,
            starts_at=timezone.now() + timedelta(hours=3),
            video_url="https://video.example/crisis-2",
            reason="Kevin Peeters was seen near Sara's shelter.",
            invitees=[w.referrer, w.shelter_worker],
        )
        meeting_services.escalation_raise(
            actor=w.case_director,
            case=w.case,
            kind="non_cooperating_partner",
            organisation=w.police,
            reason="The police report on Kevin and Sara El Amrani never came.",
        )
        today = timezone.localdate()
        moments = slot_starts(w.hour, start=today, end=today + timedelta(weeks=2))
        meeting_services.booking_create(
            hour=w.hour,
            starts_at=[s for s in moments if s > timezone.now()][1],
            question="Sara El Amrani hides her bruises; Lina is 9.",
            actor=w.shelter_worker,
        )
    assert mail.outbox, "the actions above notify by e-mail"
    subjects = " | ".join(m.subject for m in mail.outbox)
    # The notice to the coordinator, the request, two invitations, the steering group,
    # the sign-up (to who signed up and to the staff).
    assert len(mail.outbox) >= 7, subjects
    forbidden = [CONTRIBUTION_MARKER, ADDRESS_MARKER, FAMILY_NAME, "Sara", "Kevin", "Lina"]
    for message in mail.outbox:
        text = (
            message.subject + message.body + "".join(str(a[0]) for a in getattr(message, "alternatives", []))
        )
        for word in forbidden:
            assert word not in text, (message.subject, word)


def test_the_emergency_reader_sees_the_case_but_not_what_consent_withholds(clients, w):
    set_consent(w, "given")
    EmergencyAccess.objects.create(
        case=w.case,
        professional=w.outsider,
        organisation=w.addiction,
        reason="Acute danger",
        opened_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=2),
    )
    status, body = _get(clients["outsider"], f"/cases/{w.case.pk}/")
    assert status == 200
    for path in (f"/cases/{w.case.pk}/dossier/", f"/api/cases/{w.case.pk}/contributions/"):
        status, body = _get(clients["outsider"], path)
        assert CONTRIBUTION_MARKER not in body and ADDRESS_MARKER not in body


def matrix_summary() -> SimpleNamespace:  # pragma: no cover - documentation aid
    return SimpleNamespace(viewers=VIEWERS, participants=PARTICIPANTS, outsiders=OUTSIDERS)
