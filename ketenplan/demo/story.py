"""Telling one demo case: one chapter (function) per aspect of the case's life.

Every chapter takes the ``Story`` and does what the right professional would do, through
the real services (``cases``, ``persons``, ``dossier``, ``plans``): the referrer
registers, the coordinator decides admissibility and approves the plan, partners add to
the dossier and answer requests, the case director keeps contact and holds the
evaluations. A chapter that does not apply to the scenario (a case that never got that
far) does nothing.

The services work *now*. A chapter therefore notes when things really happened in
``story.history``; ``backdate.backdate`` writes those moments once every story is told.
Days in a scenario count from the registration (day 0); ``story.day("weighing")``
gives the day a step of the standard pace happens for this case.

To add an aspect (consent, meetings): give ``cases.Scenario`` the
fields it needs, write a chapter here and put it in ``cases.CHAPTERS`` where it happens
in the life of a case.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, datetime, time, timedelta
from string import Formatter
from typing import TYPE_CHECKING

from django.utils import timezone

from ketenplan.accounts.models import Organisation, Professional
from ketenplan.cases import services as case_services
from ketenplan.cases.models import Closure, MemberRole, Participation, RiskLevel, Stage, Transition
from ketenplan.dossier import services as dossier_services
from ketenplan.methods.models import LifeDomain
from ketenplan.methods.schedule import add_months, milestones_for
from ketenplan.methods.selectors import profile_for_region
from ketenplan.persons import services as person_services
from ketenplan.persons.models import ContactDetail, RelationKind
from ketenplan.plans import services as plan_services
from ketenplan.plans.models import Action, Evaluation, Goal, PlanVersion, Referral, SafetyMeasure
from ketenplan.risk import selectors as risk_selectors
from ketenplan.risk import services as risk_services

from . import region as demo
from . import texts
from .backdate import History

if TYPE_CHECKING:
    from .cases import Scenario

SEED = "ketenplan-demo"

# The standard pace: the day after registration on which each step happens. A scenario
# can be slower or faster (``Scenario.pace``); a young case is compressed to fit.
PACE = {
    "admissibility": 4,
    "partners": 6,
    "intake_done": 11,
    "dossier_ready": 27,
    "weighing": 29,
    "director": 30,
    "draft": 31,
    "plan_approved": 43,
}

STAGES = [Stage.REGISTERED, Stage.INTAKE, Stage.DOSSIER, Stage.WEIGHING, Stage.PLANNING, Stage.EXECUTION]

# Who writes for an organisation when the scenario does not say (e-mail local parts).
WORKER = {
    "fjc": "hilde.jacobs",
    "police": "koen.peeters",
    "parket": "els.maes",
    "caw": "tom.goossens",
    "ocmw": "liesbeth.willems",
    "cgg": "jan.mertens",
    "jeugd": "pieter.vandenbroeck",
    "vk": "ines.lambrecht",
    "jh": "wim.hermans",
    "shelter": "fatma.yilmaz",
    "cad": "dirk.segers",
    "hospital": "katrien.bosmans",
    "clb": "lotte.michiels",
    "lawyer": "steven.verhaegen",
}

PARTNER_REASONS = {
    "shelter": "Verblijf van het gezin in het vluchthuis",
    "cad": "Middelengebruik in het gezin",
    "clb": "Schoolgaande kinderen",
    "hospital": "Medische opvolging",
    "lawyer": "Juridische bijstand aan het slachtoffer",
}

SHELTER_ADDRESS = "Lindedreef 1\n9998 Scheldeveld"

CHILD_ROLES = {MemberRole.CHILD_VICTIM, MemberRole.CHILD_WITNESS}


class StoryError(Exception):
    """A scenario that cannot be told as written (a step in the future, say)."""


class Cast:
    """The demo region's organisations and professionals, by the keys of ``region.py``."""

    def __init__(self, region) -> None:
        self.region = region
        by_name = {o.name: o for o in Organisation.objects.filter(region=region)}
        self.organisations = {key: by_name[row[0]] for key, row in demo.ORGANISATIONS.items()}
        self.organisation_keys = {o.pk: key for key, o in self.organisations.items()}
        self.professionals = {
            p.email.split("@")[0]: p
            for p in Professional.objects.filter(organisation__region=region)
            .select_related("organisation")
            .prefetch_related("role_grants")
        }
        self.life_domains = LifeDomain.objects.in_bulk(field_name="key")
        self.profile = profile_for_region(region)

    def organisation(self, key: str) -> Organisation:
        return self.organisations[key]

    def professional(self, local_part: str) -> Professional:
        return self.professionals[local_part]


def first_name(person) -> str:
    return person.given_names.split()[0]


def ascii_letters(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


class Story:
    """One scenario being told: its case, its people and its clock."""

    def __init__(self, scenario: Scenario, *, cast: Cast, history: History, known: dict, now: datetime):
        self.scenario = scenario
        self.cast = cast
        self.history = history
        self.known = known  # "scenario key/member key" -> Person, across stories
        self.now = now
        self.today = timezone.localdate(now)
        # A fixed seed per scenario: the demo reads the same every time (not for security).
        self.rng = random.Random(f"{SEED}:{scenario.key}")  # noqa: S311
        self.registered_on = self.today - timedelta(days=scenario.registered_days_ago)
        self.coordinator = cast.professional(scenario.coordinator)
        self.director = cast.professional(scenario.director) if scenario.director else None
        self.case = None
        self.people: dict = {}  # member key -> Person
        self.evaluation_due: dict[int, date] = {}
        self.evaluation_held: dict[int, date] = {}
        self.goal_due: dict[int, date] = {}
        self.scores: dict[int, int] = {}  # life domain pk -> latest ZRM score
        self.closing_day: int | None = scenario.closing.day if scenario.closing else None
        self._last_transition_at: datetime | None = None
        self._last_moment: datetime | None = None
        self._dated_participations: set[int] = set()
        self.pace = self._pace()

    # --- the clock ---------------------------------------------------------------------

    def takes(self, step: str) -> bool:
        """Whether the case takes this step of the standard path."""
        s = self.scenario
        reached = STAGES.index(s.reached)
        if self.closing_day is not None and step in PACE and PACE[step] * s.pace > self.closing_day:
            return False
        return {
            "admissibility": reached >= 1 or not s.admissible,
            "partners": reached >= 1,
            "intake_done": reached >= 2,
            "dossier_ready": reached >= 3,
            "weighing": reached >= 4 or (reached == 3 and s.risk != RiskLevel.HIGH),
            "director": reached >= 4 and bool(s.director),
            "draft": reached >= 4,
            "plan_approved": reached >= 5,
        }[step]

    def _pace(self) -> float:
        last = max((PACE[step] for step in PACE if self.takes(step)), default=0)
        if not last:
            return self.scenario.pace
        return min(self.scenario.pace, (self.scenario.registered_days_ago - 1) / last)

    def day(self, step: str) -> int:
        return round(PACE[step] * self.pace)

    @property
    def end_day(self) -> int:
        """The last day of the story: the closure, or today."""
        if self.closing_day is not None:
            return self.closing_day
        return self.scenario.registered_days_ago

    def date(self, day: int) -> date:
        on = self.registered_on + timedelta(days=day)
        if on > self.today:
            raise StoryError(f"{self.scenario.key}: day {day} lies in the future.")
        return on

    def future_date(self, day: int) -> date:
        """A date that may lie ahead (due dates)."""
        return self.registered_on + timedelta(days=day)

    def moment(self, day: int) -> datetime:
        """Some time during office hours on ``day`` (never later than now)."""
        hour = self.rng.choice([8, 9, 9, 10, 10, 11, 11, 13, 14, 14, 15, 16])
        minute = self.rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50])
        at = timezone.make_aware(datetime.combine(self.date(day), time(hour, minute)))
        at = min(at, self.now - timedelta(minutes=1))
        if self._last_moment is None or at > self._last_moment:
            self._last_moment = at
        return at

    def days_until(self, on: date) -> int:
        return (on - self.registered_on).days

    def within(self, day: int) -> int:
        """``day``, or the end of the story when that comes first."""
        return min(day, self.end_day)

    def service_date(self, on: date) -> date:
        """A date the services accept for something due (today or later); the true date
        is written afterwards."""
        return max(on, self.today + timedelta(days=1))

    def transitioned(self, day: int, at: datetime | None = None) -> datetime:
        """Note when the step just taken happened (always after the previous step)."""
        transition = Transition.objects.filter(case=self.case).order_by("-pk").first()
        at = at or self.moment(day)
        if self._last_transition_at is not None and at <= self._last_transition_at:
            at = self._last_transition_at + timedelta(minutes=7)
        self._last_transition_at = at
        self.history.happened(transition, at=at)
        self.history.happened(self.case, stage_changed_at=at)
        self.case.refresh_from_db()
        return at

    def date_new_participations(self, at: datetime) -> None:
        for participation in Participation.objects.filter(case=self.case):
            if participation.pk not in self._dated_participations:
                self._dated_participations.add(participation.pk)
                self.history.happened(participation, since=at)

    # --- the people --------------------------------------------------------------------

    def with_role(self, *roles) -> list:
        return [self.people[m.key] for m in self.scenario.members if set(m.roles) & set(roles)]

    @property
    def children(self) -> list:
        found = self.with_role(*CHILD_ROLES)
        return sorted(found, key=lambda p: p.birth_date or date.max)

    @property
    def victim(self):
        victims = self.with_role(MemberRole.VICTIM)
        if victims:
            return victims[0]
        adults = self.with_role(MemberRole.HOUSEHOLD_MEMBER, MemberRole.RELATIVE)
        return adults[0] if adults else self.children[0]

    @property
    def perpetrator(self):
        found = self.with_role(MemberRole.ALLEGED_PERPETRATOR)
        return found[0] if found else None

    def about(self, who: str):
        """The person a text is about: "victim", "perpetrator", "child" (the eldest) or
        "" (the family as a whole: None)."""
        if who == "child":
            return self.children[0] if self.children else None
        return {"victim": self.victim, "perpetrator": self.perpetrator}.get(who)

    @property
    def names(self) -> dict[str, str]:
        names = {"victim": first_name(self.victim)}
        if self.perpetrator is not None:
            names["perpetrator"] = first_name(self.perpetrator)
        if "tolk" in (self.victim.language or ""):
            names["interpreter"] = "de tolk"
        children = [first_name(c) for c in self.children]
        if children:
            names["child"] = children[0]
            names["children"] = (
                children[0] if len(children) == 1 else (", ".join(children[:-1]) + " en " + children[-1])
            )
        return names

    def fits(self, text: str) -> bool:
        wanted = {field for _, field, _, _ in Formatter().parse(text) if field}
        return wanted <= set(self.names)

    def fill(self, text: str) -> str:
        return text.format(**self.names)

    # --- the professionals -------------------------------------------------------------

    def worker(self, organisation_key: str) -> Professional:
        if self.director is not None and self.cast.organisation_keys[self.director.organisation_id] == (
            organisation_key
        ):
            return self.director
        return self.cast.professional(WORKER[organisation_key])

    def taking_part(self) -> set[str]:
        ids = Participation.objects.filter(case=self.case, until__isnull=True).values_list(
            "organisation_id", flat=True
        )
        return {self.cast.organisation_keys[pk] for pk in ids}

    @property
    def directing(self) -> Professional:
        """Who takes the case director's steps: the director, or the coordinator."""
        return self.director or self.coordinator

    def police_officer(self) -> Professional:
        return self.cast.professional(self.rng.choice(["koen.peeters", "sofie.claes"]))

    def pick(self, options: list, count: int = 1) -> list:
        return self.rng.sample(options, min(count, len(options)))


# === Chapters, in the order a case lives them =============================================


def register(story: Story) -> None:
    """The referrer registers the family: persons (or the persons already known),
    relations, addresses."""
    s = story.scenario
    referrer = story.cast.professional(s.referrer)
    specs = [
        case_services.MemberSpec(roles=list(m.roles), person=story.known[m.same_as])
        if m.same_as
        else case_services.MemberSpec(roles=list(m.roles), new_person=m.person_fields())
        for m in s.members
    ]
    story.case = case_services.case_register(
        actor=referrer,
        family_label=s.family,
        reason=s.reason,
        violence_kinds=list(s.violence),
        members=specs,
        crisis_measures=s.crisis_measures,
    )
    at = story.moment(0)
    story.history.happened(story.case, registered_at=at, reference=f"{at.year}-{story.case.pk:06d}")
    story.transitioned(0, at=at)
    rows = story.case.members.order_by("pk").select_related("person")
    for member, row in zip(s.members, rows, strict=True):
        story.people[member.key] = row.person
        story.known[f"{s.key}/{member.key}"] = row.person
        story.history.happened(row, added_at=at)
        if not member.same_as:
            story.history.happened(row.person, created_at=at, updated_at=at)
    story.date_new_participations(at)
    _relate(story, referrer, at)
    _record_addresses(story, referrer, at)


def _relate(story: Story, referrer, at: datetime) -> None:
    s = story.scenario
    relations = list(s.relations)
    if not relations:
        victim, perpetrator = story.victim, story.perpetrator
        parents = [p for p in (victim, perpetrator) if p is not None and p not in story.children]
        if s.couple and len(parents) == 2:
            relations.append((parents[0], s.couple, parents[1]))
        for parent in parents if s.couple else parents[:1]:
            relations.extend((parent, RelationKind.PARENT, child) for child in story.children)
    for a, kind, b in relations:
        a = story.people[a] if isinstance(a, str) else a
        b = story.people[b] if isinstance(b, str) else b
        if a.pk in _linked_pks(story) and b.pk in _linked_pks(story):
            continue  # known from an earlier case, relation already recorded
        relation = person_services.relation_add(actor=referrer, person_a=a, person_b=b, kind=kind)
        story.history.happened(relation, created_at=at)


def _linked_pks(story: Story) -> set[int]:
    return {story.people[m.key].pk for m in story.scenario.members if m.same_as}


def _record_addresses(story: Story, referrer, at: datetime) -> None:
    s = story.scenario
    for member in s.members:
        person = story.people[member.key]
        if member.same_as or set(member.roles) & CHILD_ROLES:
            continue
        if member.key in s.shelter and s.shelter_day == 0:
            _record_shelter_address(story, person, 0)
            continue
        address = s.addresses.get(member.key, s.address)
        if address:
            detail = person_services.contact_detail_add(
                actor=referrer,
                person=person,
                kind=ContactDetail.Kind.ADDRESS,
                value=address,
                valid_from=story.registered_on - timedelta(days=story.rng.randint(200, 3000)),
            )
            story.history.happened(detail, created_at=at)
    victim = story.victim
    if not any(m.same_as for m in s.members) and victim.birth_date and victim.birth_date.year < 2005:
        email = f"{ascii_letters(victim.given_names)}.{ascii_letters(victim.family_name)}@mail.example"
        detail = person_services.contact_detail_add(
            actor=referrer,
            person=victim,
            kind=ContactDetail.Kind.EMAIL,
            value=email,
            valid_from=story.registered_on,
        )
        story.history.happened(detail, created_at=at)


def _record_shelter_address(story: Story, person, day: int) -> None:
    """The shelter records its address for a resident: confidential, never shown to the
    other side."""
    detail = person_services.contact_detail_add(
        actor=story.cast.professional(WORKER["shelter"]),
        person=person,
        kind=ContactDetail.Kind.ADDRESS,
        value=SHELTER_ADDRESS,
        is_confidential=True,
        valid_from=story.date(day),
    )
    story.history.happened(detail, created_at=story.moment(day))


def decide_admissibility(story: Story) -> None:
    """The coordinator answers the four criteria; not admissible closes with advice."""
    if not story.takes("admissibility"):
        return
    s = story.scenario
    answers = {}
    for criterion, (met_note, unmet_note) in texts.ADMISSIBILITY_NOTES.items():
        met = s.admissible or criterion not in s.unmet_criteria
        answers[criterion] = {"met": met, "note": met_note if met else unmet_note}
    decision = case_services.admissibility_decide(
        actor=story.coordinator, case=story.case, answers=answers, advice=s.advice
    )
    at = story.transitioned(story.day("admissibility"))
    story.history.happened(decision, decided_at=at)
    if not s.admissible:
        story.history.happened(Closure.objects.get(case=story.case), closed_at=at)
        story.history.happened(story.case, closed_at=at)
    story.date_new_participations(at)


def record_earlier_police_interventions(story: Story) -> None:
    """The police add the interventions of the year before registration (the "before"
    of the before/after outcome)."""
    if not story.takes("partners") or "police" not in story.taking_part():
        return
    recorded = story.moment(story.within(story.day("admissibility") + 1))
    for day in story.scenario.police_before:
        intervention = plan_services.police_intervention_record(
            actor=story.police_officer(),
            case=story.case,
            occurred_on=story.date(day),
            summary=story.fill(story.rng.choice(texts.POLICE_INTERVENTIONS)),
        )
        story.history.happened(intervention, recorded_at=recorded)


def bring_in_partners(story: Story) -> None:
    """Network partners join the case (shelter, addiction care, school, lawyer...)."""
    if not story.takes("partners"):
        return
    day = story.day("partners")
    for key in story.scenario.partners:
        if key in story.taking_part():
            continue
        case_services.participation_add(
            actor=story.coordinator,
            case=story.case,
            organisation=story.cast.organisation(key),
            reason=PARTNER_REASONS.get(key, ""),
        )
        story.date_new_participations(story.moment(day))


def move_to_shelter(story: Story) -> None:
    """Family members who leave for the shelter later: the home address ends, the
    shelter's confidential address begins."""
    s = story.scenario
    if not s.shelter or s.shelter_day == 0 or s.shelter_day > story.end_day:
        return
    for key in s.shelter:
        person = story.people[key]
        for detail in ContactDetail.objects.filter(
            person=person, kind=ContactDetail.Kind.ADDRESS, valid_until__isnull=True
        ):
            person_services.contact_detail_end(
                actor=story.coordinator, contact_detail=detail, valid_until=story.date(s.shelter_day)
            )
        _record_shelter_address(story, person, s.shelter_day)


def complete_intake(story: Story) -> None:
    """The team discussed the file at intake: the dossier starts."""
    if not story.takes("intake_done"):
        return
    case_services.intake_complete(
        actor=story.coordinator,
        case=story.case,
        note="Besproken op het operationeel team; de dossiervorming start.",
    )
    story.transitioned(story.day("intake_done"))


def build_dossier(story: Story) -> None:
    """Partners add what they know per life domain; the coordinator asks other
    organisations for information; the dossier's action list."""
    if not story.takes("intake_done"):
        return
    start = story.day("intake_done")
    end = story.day("dossier_ready") if story.takes("dossier_ready") else story.end_day
    _add_contributions(story, start, end)
    _ask_for_information(story, start, end)
    _dossier_actions(story, start, end)


def _add_contributions(story: Story, start: int, end: int) -> None:
    taking_part = story.taking_part()
    for domain in story.scenario.domains:
        options = [c for c in texts.CONTRIBUTIONS.get(domain, []) if c[0] in taking_part and story.fits(c[2])]
        seen = set()
        for organisation, about, text, source in story.pick(options, story.rng.choice([1, 2, 2])):
            if organisation in seen:
                continue
            seen.add(organisation)
            day = story.rng.randint(start, max(start, end - 1))
            contribution = dossier_services.contribution_add(
                actor=story.worker(organisation),
                case=story.case,
                life_domain=story.cast.life_domains[domain],
                text=story.fill(text),
                occurred_on=story.date(day) - timedelta(days=story.rng.randint(0, 45)),
                source=story.fill(source),
                about_person=story.about(about),
            )
            story.history.happened(contribution, created_at=story.moment(day))


def _ask_for_information(story: Story, start: int, end: int) -> None:
    s = story.scenario
    for key, state in s.requests:
        about, question, answer = texts.INFORMATION_REQUESTS[key]
        asked_day = start if state == "overdue" else story.rng.randint(start, max(start, end - 3))
        due = story.future_date(asked_day + 14)
        if state == "overdue":
            due = min(story.future_date(asked_day + 10), story.today - timedelta(days=2))
        elif state == "open":
            due = max(due, story.today + timedelta(days=story.rng.randint(3, 10)))
        request = dossier_services.information_request_create(
            actor=story.coordinator,
            case=story.case,
            to_organisation=story.cast.organisation(key),
            question=story.fill(question),
            due_on=story.service_date(due),
            about_person=story.about(about),
        )
        asked_at = story.moment(asked_day)
        story.history.happened(request, requested_at=asked_at, updated_at=asked_at, due_on=due)
        if state in ("answered", "declined"):
            answered_day = min(asked_day + story.rng.randint(2, 9), story.end_day)
            addressee = story.cast.professional(WORKER[key])
            if state == "answered":
                dossier_services.information_request_answer(
                    actor=addressee,
                    request_obj=request,
                    answer=story.fill(answer),
                    expected_version=request.version,
                )
                at = story.moment(answered_day)
                story.history.happened(request, answered_at=at, updated_at=at)
            else:
                dossier_services.information_request_decline(
                    actor=addressee,
                    request_obj=request,
                    reason=texts.REQUEST_DECLINE_REASON,
                    expected_version=request.version,
                )
                story.history.happened(request, updated_at=story.moment(answered_day))


def _dossier_actions(story: Story, start: int, end: int) -> None:
    """The dossier's action list (actions without a goal)."""
    ready = story.takes("dossier_ready")
    for number, (organisation, text) in enumerate(texts.DOSSIER_ACTIONS):
        owner = story.coordinator if organisation == "fjc" else story.worker(organisation)
        due_day = end if number == 0 else start + 7
        action = plan_services.action_create(
            actor=story.coordinator,
            case=story.case,
            description=story.fill(text),
            owner_organisation=owner.organisation,
            owner=owner,
            due_on=story.service_date(story.future_date(due_day)),
        )
        story.history.happened(action, created_at=story.moment(start), due_on=story.future_date(due_day))
        done_day = end if number == 0 else start + 5
        if ready or done_day < story.end_day:
            _set_action_status(story, action, owner, Action.Status.DONE, day=min(done_day, story.end_day))
        elif number == 0:
            _set_action_status(story, action, owner, Action.Status.IN_PROGRESS)


def _set_action_status(story: Story, action, actor, status: str, *, day: int | None = None, reason: str = ""):
    action = plan_services.action_set_status(
        actor=actor, action=action, status=status, reason=reason, expected_version=action.version
    )
    if status == Action.Status.DONE:
        story.history.happened(action, completed_at=story.moment(day))
    return action


def weigh_risk(story: Story) -> None:
    """The dossier is ready; the team weighs the risk. Low or medium: advice, closed."""
    if story.takes("dossier_ready"):
        case_services.dossier_ready(
            actor=story.coordinator, case=story.case, note="Dossier volledig; klaar voor de weging."
        )
        story.transitioned(story.day("dossier_ready"))
    if not story.takes("weighing"):
        return
    level = story.scenario.risk
    assessments = _assess_risk(story, level)
    weighing = risk_services.weighing_confirm(
        actor=story.coordinator,
        case=story.case,
        level=level,
        reasoning=story.fill(story.rng.choice(texts.RISK_REASONING[level])),
        advice="" if level == RiskLevel.HIGH else story.rng.choice(texts.RISK_ADVICE),
    )
    at = story.transitioned(story.day("weighing"))
    story.history.happened(weighing, decided_at=at)
    story.history.happened(weighing.basis, created_at=at)
    day = max(story.day("dossier_ready"), story.day("weighing") - 1)
    for assessment in assessments:  # finalised before the team weighed
        assessed = min(story.moment(day), at - timedelta(hours=1))
        story.history.happened(assessment, created_at=assessed, assessed_at=assessed, updated_at=assessed)
    if level != RiskLevel.HIGH:
        story.history.happened(Closure.objects.get(case=story.case), closed_at=at)
        story.history.happened(story.case, closed_at=at)


# "Yes" answers on the DASH-style checklist per level (bands 0-9, 10-13, 14 and more). The
# answers that weigh heaviest (METHOD.md §7) come with high risk only.
DASH_YES = {RiskLevel.LOW: (2, 7), RiskLevel.MEDIUM: (10, 13), RiskLevel.HIGH: (14, 19)}
DASH_HEAVY = ("strangulation", "threats_to_kill", "stalking")


def _dash_answers(story: Story, definition, level: str) -> dict:
    questions = [i for i, item in definition.items.items() if item["type"] == "yes_no_unknown"]
    others = [q for q in questions if q not in DASH_HEAVY]
    count = story.rng.randint(*DASH_YES[level])
    if level == RiskLevel.HIGH:
        yes = {*DASH_HEAVY, *story.rng.sample(others, count - len(DASH_HEAVY))}
    else:
        yes = set(story.rng.sample(others, count))
    answers = {q: "yes" if q in yes else "no" for q in questions}
    if story.rng.random() < 0.5:  # the victim did not know one answer
        answers[story.rng.choice([q for q in questions if q not in yes])] = "unknown"
    return answers


def _assess_risk(story: Story, level: str) -> list:
    """Before the team weighs, the police (or else the coordinator) go through the
    DASH-style checklist with the victim and finalise it: the weighing rests on it."""
    from ketenplan.risk.models import Instrument

    instrument = Instrument.objects.select_related("current_version").get(key="dash")
    victim = story.case.members.get(person=story.victim)
    assessors = [story.coordinator]
    if "police" in story.taking_part():
        assessors.insert(0, story.police_officer())
    done = []
    for assessor in assessors:
        draft = risk_services.assessment_start(
            actor=assessor, case=story.case, instrument=instrument, member=victim
        )
        done.append(
            risk_services.assessment_finalise(
                actor=assessor,
                assessment=draft,
                answers=_dash_answers(story, instrument.current_version.parsed, level),
            )
        )
        if risk_selectors.weighing_proposal(user=story.coordinator, case=story.case).assessments:
            break  # shared with the coordinator (the victim's consent): enough to weigh
    return done


def appoint_case_director(story: Story) -> None:
    if not story.takes("director"):
        return
    assignment = case_services.case_director_appoint(
        actor=story.coordinator,
        case=story.case,
        professional=story.director,
        reason="Aangesteld door het operationeel team.",
    )
    story.history.happened(assignment, started_at=story.moment(story.day("director")))
    story.case.refresh_from_db()


def draft_plan(story: Story) -> None:
    """The case director drafts the plan: goals per life domain, the safety plan, the
    self-reliance (ZRM) scores at the start."""
    if not story.takes("draft"):
        return
    day = story.day("draft")
    author = story.directing
    plan = plan_services.plan_draft_start(actor=author, case=story.case)
    started = story.moment(day)
    story.history.happened(plan, created_at=started, updated_at=started)
    complete = story.scenario.plan_progress == "complete" or story.takes("plan_approved")
    domains = story.scenario.domains[:5] if complete else story.scenario.domains[:1]
    approval_day = round(PACE["plan_approved"] * story.pace)
    for domain in domains:
        _add_goal(story, plan, author, domain, approval_day)
    if complete:
        _add_safety_measures(story, plan, author)
        _record_start_scores(story, author, min(day + 3, story.end_day))
    edited = story.within(day + (6 if complete else 1))
    story.history.happened(plan, updated_at=story.moment(edited))


def _add_goal(story: Story, plan, author, domain: str, approval_day: int, entry=None) -> Goal | None:
    taking_part = story.taking_part()
    if entry is None:
        options = [g for g in texts.GOALS.get(domain, []) if g[0] in taking_part and story.fits(g[2])]
        if not options:
            return None
        entry = story.rng.choice(options)
    organisation, about, text = entry
    due = add_months(story.future_date(approval_day), story.rng.randint(3, 9))
    plan.refresh_from_db()
    goal = plan_services.goal_add(
        actor=author,
        plan=plan,
        life_domain=story.cast.life_domains[domain],
        description=story.fill(text),
        responsible_organisation=story.cast.organisation(organisation),
        responsible_professional=story.worker(organisation),
        about_person=story.about(about),
        due_on=story.service_date(due),
        expected_version=plan.version,
    )
    story.goal_due[goal.pk] = due
    story.history.happened(goal, due_on=due)
    return goal


def _add_safety_measures(story: Story, plan, author) -> None:
    taking_part = story.taking_part()
    for kind in (SafetyMeasure.Kind.DIRECT, SafetyMeasure.Kind.STRUCTURAL):
        options = [m for m in texts.SAFETY_MEASURES[kind] if m[0] in taking_part and story.fits(m[1])]
        if kind == SafetyMeasure.Kind.DIRECT and not story.scenario.shelter:
            options = [m for m in options if m[0] != "shelter"]
        if kind == SafetyMeasure.Kind.DIRECT and story.scenario.shelter and "shelter" in taking_part:
            chosen = [m for m in options if m[0] == "shelter"] + story.pick(
                [m for m in options if m[0] != "shelter"], 1
            )
        else:
            chosen = story.pick(options, 2)
        for organisation, text in chosen:
            plan.refresh_from_db()
            plan_services.safety_measure_add(
                actor=author,
                plan=plan,
                kind=kind,
                description=story.fill(text),
                responsible_organisation=story.cast.organisation(organisation),
                expected_version=plan.version,
            )


def _record_start_scores(story: Story, author, day: int) -> None:
    scores = {}
    for domain in story.scenario.domains:
        low = 1 if domain == "safety" else story.rng.choice([1, 2, 2, 3])
        scores[story.cast.life_domains[domain].pk] = low
    story.scores = dict(scores)
    rows = plan_services.self_reliance_record(actor=author, case=story.case, scores=scores)
    at = story.moment(day)
    for row in rows:
        story.history.happened(row, recorded_at=at)


def approve_plan(story: Story) -> None:
    """The operational team approves the plan in its meeting; the evaluations of the
    method profile are scheduled; the case director starts the execution."""
    if not story.takes("plan_approved"):
        return
    day = story.day("plan_approved")
    plan = PlanVersion.objects.get(case=story.case, status=PlanVersion.Status.DRAFT)
    _approve(story, plan, day)
    approved_on = story.date(day)
    story.history.happened(story.case, plan_approved_on=approved_on)
    due_by_key = {
        m.key: m.due_on
        for m in milestones_for(
            story.cast.profile, registered_on=story.registered_on, plan_approved_on=approved_on
        )
    }
    for evaluation in story.case.evaluations.all():
        due = due_by_key[evaluation.milestone_key]
        story.evaluation_due[evaluation.pk] = due
        story.evaluation_held[evaluation.pk] = due + timedelta(days=story.rng.randint(-3, 4))
        story.history.happened(evaluation, due_on=due)
    closing = story.scenario.closing
    if closing and closing.at_evaluation:
        evaluation = story.case.evaluations.get(milestone_key=closing.at_evaluation)
        story.closing_day = story.days_until(story.evaluation_held[evaluation.pk])
    _start_execution(story, day)


def _approve(story: Story, plan, day: int) -> None:
    plan.refresh_from_db()
    previous = plan_services.current_plan_of(story.case)
    approved = plan_services.plan_approve(
        actor=story.coordinator,
        plan=plan,
        route=PlanVersion.ApprovedBy.TEAM_MEETING,
        meeting_date=story.today,
        expected_version=plan.version,
    )
    at = story.moment(day)
    story.history.happened(approved, approved_at=at, updated_at=at, meeting_date=story.date(day))
    if previous is not None:
        story.history.happened(previous, superseded_at=at)


def _start_execution(story: Story, day: int) -> None:
    story.case.refresh_from_db()
    case_services.execution_start(actor=story.directing, case=story.case)
    story.transitioned(day)


def carry_out_actions(story: Story) -> None:
    """Actions under the goals, owned by named professionals: done, in progress, open,
    late, or not possible."""
    if not story.takes("plan_approved"):
        return
    start = story.day("plan_approved")
    plan = plan_services.current_plan_of(story.case)
    taking_part = story.taking_part()
    for goal in plan.goals.select_related("life_domain", "responsible_organisation").order_by("order"):
        options = [a for a in texts.ACTIONS.get(goal.life_domain.key, []) if story.fits(a[1])]
        for organisation, text in story.pick(options, story.rng.choice([1, 2, 2])):
            if organisation not in taking_part:
                organisation = story.cast.organisation_keys[goal.responsible_organisation_id]
            owner = story.worker(organisation)
            created = story.within(start + story.rng.randint(0, 6))
            due_day = created + story.rng.randint(10, 120)
            if story.scenario.closing:
                due_day = max(created + 1, min(due_day, story.end_day - 1))
            action = plan_services.action_create(
                actor=story.directing,
                case=story.case,
                description=story.fill(text),
                owner_organisation=story.cast.organisation(organisation),
                owner=owner,
                goal=goal,
                due_on=story.service_date(story.future_date(due_day)),
            )
            story.history.happened(
                action, created_at=story.moment(created), due_on=story.future_date(due_day)
            )
            _progress(story, action, owner, created, due_day)


def _progress(story: Story, action, owner, created: int, due_day: int) -> None:
    roll = story.rng.random()
    if due_day < story.end_day:
        if roll < 0.15:
            reason = story.fill(story.rng.choice(texts.CANNOT_BE_DONE_REASONS))
            _set_action_status(story, action, owner, Action.Status.CANNOT_BE_DONE, reason=reason)
        elif roll < 0.32 and not story.scenario.closing:
            if roll < 0.24:
                _set_action_status(story, action, owner, Action.Status.IN_PROGRESS)
            # else: still open, and late
        else:
            done = story.rng.randint(min(created + 1, due_day), due_day)
            _set_action_status(story, action, owner, Action.Status.DONE, day=story.within(done))
    elif roll < 0.45:
        _set_action_status(story, action, owner, Action.Status.IN_PROGRESS)


def keep_contact(story: Story) -> None:
    """The case director (and now and then a partner) keeps contact with the family:
    home visits, office, video, phone, chat."""
    if not story.takes("director"):
        return
    kinds = list(texts.CONTACTS)
    story.rng.shuffle(kinds)
    summaries = {kind: [] for kind in kinds}  # each kind's texts in turn, reshuffled when used up
    partners = [k for k in ("jeugd", "cgg", "ocmw", "shelter") if k in story.taking_part()]
    day = story.day("director") + story.rng.randint(1, 5)
    number = 0
    while day <= story.end_day:
        kind = kinds[number] if number < len(kinds) else story.rng.choice(kinds)
        if not summaries[kind]:
            summaries[kind] = [c for c in texts.CONTACTS[kind] if story.fits(c[1])]
            story.rng.shuffle(summaries[kind])
        who, text = summaries[kind].pop()
        actor = story.directing
        if partners and story.rng.random() < 0.2:
            actor = story.worker(story.rng.choice(partners))
        with_persons = [story.about(w) for w in who if story.about(w) is not None]
        at = story.moment(day)
        contact = plan_services.contact_log(
            actor=actor,
            case=story.case,
            kind=kind,
            at=at,
            with_persons=with_persons,
            summary=story.fill(text),
        )
        story.history.happened(contact, created_at=at)
        number += 1
        day += story.rng.randint(6, 20)


def refer_to_services(story: Story) -> None:
    """Referrals to services, and what became of them: started, waiting list, declined."""
    if not story.takes("plan_approved"):
        return
    start = story.day("plan_approved")
    options = []
    for domain in story.scenario.domains:
        for service, organisation, who in texts.REFERRALS.get(domain, []):
            if story.about(who) is not None:
                options.append((service, organisation, who))
    for number, (service, organisation, who) in enumerate(options[:3]):
        requested = story.within(start + story.rng.randint(2, 14))
        referral = plan_services.referral_create(
            actor=story.directing,
            case=story.case,
            service=service,
            person=story.about(who),
            organisation=story.cast.organisation(organisation) if organisation else None,
            requested_on=story.date(requested),
        )
        elapsed = story.end_day - requested
        steps = []
        if number == 0 and story.scenario.waiting_referral:
            steps = [(Referral.Status.WAITING, requested + story.rng.randint(3, 10))]
        elif elapsed > 45:
            started = requested + story.rng.randint(14, 40)
            steps = [(Referral.Status.STARTED, started)]
            if story.end_day - started > 120:
                steps.append((Referral.Status.ENDED, started + story.rng.randint(90, 120)))
        elif elapsed > 12:
            status = story.rng.choice([Referral.Status.WAITING, Referral.Status.DECLINED])
            steps = [(status, requested + story.rng.randint(5, 12))]
        last = requested
        for status, day in steps:
            day = story.within(day)
            referral = plan_services.referral_set_status(
                actor=story.directing,
                referral=referral,
                status=status,
                note=texts.REFERRAL_NOTES[status],
                on=story.date(day),
                expected_version=referral.version,
            )
            last = day
        story.history.happened(referral, updated_at=story.moment(last))


def offer_trauma_screening(story: Story) -> None:
    """Victims and children are offered a trauma screening; some are screened and
    start a treatment, a parent declines for a child."""
    if not story.takes("plan_approved"):
        return
    start = story.day("plan_approved")
    people = [story.victim, *story.children]
    if story.perpetrator is not None and story.rng.random() < 0.5:
        people.append(story.perpetrator)
    for person in people:
        offered = story.within(start + story.rng.randint(3, 20))
        done = treatment = None
        declined = person in story.children and story.rng.random() < 0.2
        note = "De ouders willen dit voorlopig niet." if declined else ""
        if not declined and story.end_day - offered > 14:
            done = offered + story.rng.randint(7, 14)
            if story.end_day - done > 21 and story.rng.random() < 0.7:
                treatment = done + story.rng.randint(14, 21)
        plan_services.trauma_screening_record(
            actor=story.directing,
            case=story.case,
            person=person,
            offered_on=story.date(offered),
            done_on=story.date(done) if done is not None else None,
            treatment_started_on=story.date(treatment) if treatment is not None else None,
            declined=declined,
            note=note,
        )


def hold_evaluations(story: Story) -> None:
    """The evaluations of the method profile, when they fall due: progress per goal,
    ZRM scores, and the decision (continue, a new plan version, or close). A scenario
    can leave one late."""
    if not story.takes("plan_approved"):
        return
    s = story.scenario
    revision, closing = s.revision, s.closing
    revised = False
    evaluations = sorted(story.case.evaluations.all(), key=lambda e: story.evaluation_due[e.pk])
    for number, evaluation in enumerate(evaluations):
        held = story.evaluation_held[evaluation.pk]
        if revision and revision.day is not None and not revised and revision.day < story.days_until(held):
            _revise(story, revision.day)
            revised = True
        if evaluation.milestone_key in s.late_evaluations or held > story.date(story.end_day):
            break
        decision = Evaluation.Decision.CONTINUE
        if closing and closing.at_evaluation == evaluation.milestone_key:
            decision = Evaluation.Decision.CLOSE
        elif revision and revision.at_evaluation == evaluation.milestone_key:
            decision = Evaluation.Decision.NEW_PLAN_VERSION
        _hold(story, evaluation, held, number, decision)
        if decision == Evaluation.Decision.NEW_PLAN_VERSION:
            revised = True
            _rework_plan(story, story.days_until(held))
        if decision == Evaluation.Decision.CLOSE:
            return
    if revision and revision.day is not None and not revised and revision.day <= story.end_day:
        _revise(story, revision.day)


def _hold(story: Story, evaluation, held: date, number: int, decision: str) -> None:
    s = story.scenario
    plan = plan_services.current_plan_of(story.case)
    goals = list(plan.goals.all())
    if decision == Evaluation.Decision.CLOSE:
        choices = ["achieved"] if s.closing.outcome == "goals_met" else ["achieved", "achieved", "partly"]
        summary = story.rng.choice(texts.EVALUATIONS["close"])
    elif number == 0:
        choices = ["on_track", "on_track", "open", "partly"]
        summary = story.rng.choice(texts.EVALUATIONS["first"])
    else:
        choices = ["on_track", "achieved", "partly", "achieved"]
        summary = story.rng.choice(texts.EVALUATIONS["later"])
    progress = {goal.pk: (story.rng.choice(choices), "") for goal in goals}
    story.scores = {
        domain: min(5, score + story.rng.choice([0, 1, 1])) for domain, score in story.scores.items()
    }
    held_day = story.days_until(held)
    follow_up = None
    if decision == Evaluation.Decision.CLOSE:
        follow_up = add_months(held, s.closing.follow_up_months)
    plan_services.evaluation_hold(
        actor=story.directing,
        evaluation=evaluation,
        held_on=held,
        summary=story.fill(summary),
        goal_progress=progress,
        decision=decision,
        zrm_scores=dict(story.scores),
        revise_reason=s.revision.reason if s.revision else "",
        close_outcome=s.closing.outcome if decision == Evaluation.Decision.CLOSE else "",
        close_note=story.fill(texts.CLOSURE_NOTES[s.closing.outcome]) if s.closing else "",
        follow_up_on=story.service_date(follow_up) if follow_up else None,
        confirm_open_requests=True,
    )
    at = story.moment(held_day)
    for row in evaluation.self_reliance_scores.all():
        story.history.happened(row, recorded_at=at)
    if decision == Evaluation.Decision.CLOSE:
        _closed(story, held_day, follow_up)
    elif decision == Evaluation.Decision.NEW_PLAN_VERSION:
        story.transitioned(held_day)


def _revise(story: Story, day: int) -> None:
    plan_services.plan_revise(actor=story.directing, case=story.case, reason=story.scenario.revision.reason)
    story.transitioned(day)
    _rework_plan(story, day)


def _rework_plan(story: Story, day: int) -> None:
    """The new plan version: goals copied from the version in force keep their dates; a
    new goal is added; approved later or still a draft."""
    revision = story.scenario.revision
    draft = PlanVersion.objects.get(case=story.case, status=PlanVersion.Status.DRAFT)
    started = story.moment(day)
    story.history.happened(draft, created_at=started, updated_at=started)
    for goal in draft.goals.all():
        if goal.copied_from_id in story.goal_due:
            story.goal_due[goal.pk] = story.goal_due[goal.copied_from_id]
            story.history.happened(goal, due_on=story.goal_due[goal.pk])
    if revision.new_goal:
        domain, *entry = revision.new_goal
        _add_goal(story, draft, story.directing, domain, day, entry=tuple(entry))
        story.history.happened(draft, updated_at=story.moment(story.within(day + 2)))
    if revision.approved_after_days is not None:
        approve_day = story.within(day + revision.approved_after_days)
        _approve(story, draft, approve_day)
        _start_execution(story, approve_day)


def close_case(story: Story) -> None:
    """The case director closes the case with its outcome and a follow-up date."""
    closing = story.scenario.closing
    if closing is None or closing.at_evaluation:
        return
    follow_up = add_months(story.date(closing.day), closing.follow_up_months)
    case_services.case_close(
        actor=story.directing,
        case=story.case,
        outcome=closing.outcome,
        note=story.fill(texts.CLOSURE_NOTES[closing.outcome]),
        follow_up_on=story.service_date(follow_up),
        confirm_open_requests=True,
    )
    _closed(story, closing.day, follow_up)


def _closed(story: Story, day: int, follow_up: date | None) -> None:
    at = story.transitioned(day)
    story.history.happened(Closure.objects.get(case=story.case), closed_at=at, follow_up_on=follow_up)
    story.history.happened(story.case, closed_at=at)


def follow_up(story: Story) -> None:
    """The follow-up check after closure: was the family registered again, did the
    police come back?"""
    closing = story.scenario.closing
    if closing is None or not closing.follow_up_done:
        return
    closure = case_services.closure_follow_up_record(
        actor=story.directing, case=story.case, note=story.fill(texts.FOLLOW_UP_NOTE)
    )
    due = story.history.noted(closure, "follow_up_on")
    done_day = story.days_until(due) + story.rng.randint(0, 4)
    story.history.happened(closure, follow_up_done_at=story.moment(done_day))


def record_later_police_interventions(story: Story) -> None:
    """Interventions after registration, also after closure (the "after")."""
    for day in story.scenario.police_after:
        intervention = plan_services.police_intervention_record(
            actor=story.police_officer(),
            case=story.case,
            occurred_on=story.date(day),
            summary=story.fill(story.rng.choice(texts.POLICE_INTERVENTIONS)),
        )
        story.history.happened(
            intervention, recorded_at=story.moment(min(day + 1, story.scenario.registered_days_ago))
        )


def finish(story: Story) -> None:
    """The case was last changed at the last moment of its story."""
    if story._last_moment is not None:
        story.history.happened(story.case, updated_at=story._last_moment)


# --- Consent (METHOD.md §4) -------------------------------------------------------------

CONSENT_WAYS = ("in_person", "in_person", "written", "phone")
LEGAL_BASIS_JUSTIFICATION = (
    "Casusoverleg in het kader van art. 458ter Sw.: de vader weigert toestemming, maar het "
    "gevaar voor de fysieke integriteit van moeder en kinderen is ernstig en dreigend."
)


def _age_on(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def record_consent(story: Story) -> None:
    """Right after admission the family members are asked for consent. Most agree to
    share with all partners; a young child answers through the other parent. Some
    alleged perpetrators refuse: when the risk is high, the coordinator then records the
    case conference (art. 458ter) as the legal basis to share about them anyway."""
    from ketenplan.cases.models import CaseMember
    from ketenplan.consent import services as consent_services
    from ketenplan.consent.models import DEFAULT_CHILD_OWN_AGE, LegalBasis

    s = story.scenario
    if not s.admissible or not story.takes("partners"):
        return
    on = story.date(story.within(story.day("admissibility") + 2))
    members = {m.person_id: m for m in CaseMember.objects.filter(case=story.case)}
    perpetrators = {p.pk for p in story.with_role(MemberRole.ALLEGED_PERPETRATOR)}
    adults = [
        m
        for pid, m in members.items()
        if pid not in perpetrators and (_age_on(m.person.birth_date, on) or 0) >= 18
    ]
    for person in (story.people[m.key] for m in s.members):
        age = _age_on(person.birth_date, on)
        is_young_child = age is not None and age < DEFAULT_CHILD_OWN_AGE
        refuses = person.pk in perpetrators and story.rng.random() < 0.35
        if is_young_child and not adults:
            continue
        consent_services.consent_record(
            actor=story.coordinator,
            case=story.case,
            person=person,
            status="refused" if refuses else "given",
            obtained_on=on,
            obtained_how=story.rng.choice(CONSENT_WAYS),
            given_by=adults[0] if is_young_child else None,
        )
        if refuses and s.risk == RiskLevel.HIGH:
            consent_services.legal_basis_record(
                actor=story.coordinator,
                case=story.case,
                person=person,
                basis=LegalBasis.Basis.BE_CASE_CONFERENCE,
                justification=LEGAL_BASIS_JUSTIFICATION,
                valid_from=on,
                valid_until=max(on + timedelta(days=365), story.today + timedelta(days=90)),
            )
