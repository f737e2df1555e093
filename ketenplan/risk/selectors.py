"""Reads of instruments, assessments and reporting-code guides, always through the
access policy. Case pages start from ``cases.selectors.case_get`` (outsiders get "not
found") and read the case's assessments here in a fixed number of queries."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketenplan.audit import reads
from ketenplan.cases.models import Case
from ketenplan.core import policy

from . import scoring
from .models import LEVEL_ORDER, Assessment, Instrument, RegionInstrument, ReportingGuide, RiskLevel
from .policy import visible_assessments_q

logger = logging.getLogger(__name__)

DEFAULT_ESCALATION = {"incidents": 3, "window_months": 12}
REGISTRATION_URL = "/cases/register/"
MAX_PREFILL_CHARS = 1500


# --- Instruments --------------------------------------------------------------------------


def instruments_for_region(region) -> list[Instrument]:
    """The active instruments (with a loaded version) the region's weighing uses, in the
    region's order; every active one when the region has not chosen."""
    base = Instrument.objects.filter(is_active=True, current_version__isnull=False).select_related(
        "current_version"
    )
    chosen = list(
        RegionInstrument.objects.filter(region=region).values_list("instrument_id", "order", "is_active")
    )
    if not chosen:
        return list(base.order_by("key"))
    order = {pk: position for pk, position, active in chosen if active}
    instruments = list(base.filter(pk__in=order))
    return sorted(instruments, key=lambda i: (order[i.pk], i.key))


# --- Assessments --------------------------------------------------------------------------


_RELATED = ("instrument_version__instrument", "person", "assessed_by", "organisation", "judgement_by")


def _case_assessments(user, case: Case, visible=None) -> QuerySet:
    """The case's assessments the user may see: the case is visible (checked by the
    caller), so only the consent part remains, decided once for the whole case."""
    if visible is None:
        visible = visible_assessments_q(user, case=case)
    return Assessment.objects.filter(visible).select_related(*_RELATED)


def case_assessments(*, user, case: Case) -> list[Assessment]:
    """Every assessment of the case the user may see, oldest first."""
    return case_assessments_and_withheld(user=user, case=case, count_withheld=False)[0]


def case_assessments_and_withheld(
    *, user, case: Case, count_withheld: bool = True
) -> tuple[list[Assessment], int]:
    """The assessments the user may see, oldest first, and how many others are not
    shared with the user's organisation (no consent or legal basis): their existence is
    shown, their content is not."""
    policy.require(user, "risk.view", case)
    visible = visible_assessments_q(user, case=case)
    assessments = list(_case_assessments(user, case, visible).order_by("created_at", "pk"))
    for assessment in assessments:
        assessment.case = case  # the policy's per-object rules need no extra query
    _note_read(case, assessments)
    withheld = Assessment.objects.filter(case=case).exclude(visible).count() if count_withheld else 0
    return assessments, withheld


def assessment_get(*, user, case: Case, pk) -> Assessment:
    policy.require(user, "risk.view", case)
    try:
        assessment = _case_assessments(user, case).get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    assessment.case = case
    _note_read(case, [assessment])
    return assessment


def _note_read(case: Case, assessments: list[Assessment]) -> None:
    """For the audit of reads: the case, the persons and the assessments shown."""
    reads.note_case(case)
    reads.note_persons(a.person_id for a in assessments)
    reads.note_objects(Assessment._meta.label_lower, [a.pk for a in assessments])


def current_assessments(assessments: list[Assessment]) -> list[Assessment]:
    """The latest final assessment per person and instrument: the ones that count now."""
    latest: dict[tuple, Assessment] = {}
    for assessment in sorted((a for a in assessments if a.is_final), key=lambda a: (a.assessed_at, a.pk)):
        latest[(assessment.person_id, assessment.instrument_version.instrument_id)] = assessment
    return sorted(latest.values(), key=lambda a: (a.assessed_at, a.pk))


@dataclass
class TrendPoint:
    assessment: Assessment
    at: datetime
    score: int
    unknown_count: int
    band: str
    level: str
    direction: str  # "up", "down", "same" or "" (first)


@dataclass
class Trend:
    person: object
    instrument: Instrument
    points: list[TrendPoint]
    changes: list[dict] = field(default_factory=list)  # answers changed since the one before

    @property
    def latest(self) -> TrendPoint:
        return self.points[-1]

    @property
    def previous(self) -> TrendPoint | None:
        return self.points[-2] if len(self.points) > 1 else None


def trends(assessments: list[Assessment]) -> list[Trend]:
    """Per person and instrument: the final assessments over time (score and band) and
    which answers changed between the last two."""
    groups: dict[tuple, list[Assessment]] = {}
    for assessment in sorted((a for a in assessments if a.is_final), key=lambda a: (a.assessed_at, a.pk)):
        groups.setdefault((assessment.person_id, assessment.instrument_version.instrument_id), []).append(
            assessment
        )
    result = []
    for series in groups.values():
        points: list[TrendPoint] = []
        for assessment in series:
            rank = LEVEL_ORDER.get(assessment.level, 0)
            direction = ""
            if points:
                before = points[-1].assessment
                key = (rank, assessment.score)
                previous = (LEVEL_ORDER.get(before.level, 0), before.score)
                direction = "up" if key > previous else "down" if key < previous else "same"
            points.append(TrendPoint(assessment, assessment.assessed_at, assessment.score,
                                     assessment.unknown_count, assessment.final_band_name,
                                     assessment.level, direction))
        trend = Trend(series[-1].person, series[-1].instrument_version.instrument, points)
        if len(series) > 1:
            older, newer = series[-2], series[-1]
            trend.changes = scoring.changed_answers(
                newer.definition, newer.answers, older.definition, older.answers
            )
        result.append(trend)
    return sorted(result, key=lambda t: (t.person.full_name, t.instrument.key))


# --- The combined proposal ----------------------------------------------------------------


@dataclass
class Criterion:
    key: str
    label: Promise | str
    met: bool
    detail: str = ""


@dataclass
class Proposal:
    level: str  # "" when there is no final assessment yet
    criteria: list[Criterion]
    assessments: list[Assessment]  # the current final assessments it rests on
    drafts: int
    police_incidents: int
    escalation: dict

    @property
    def level_label(self) -> str:
        return str(RiskLevel(self.level).label) if self.level else ""

    @property
    def any_criterion(self) -> bool:
        return any(c.met for c in self.criteria)


def _profile(region):
    from ketenplan.methods.models import MethodProfile
    from ketenplan.methods.selectors import profile_for_region

    try:
        return profile_for_region(region)
    except MethodProfile.DoesNotExist:
        logger.warning("No method profile loaded; using the default escalation threshold.")
        return None


def police_incidents(case: Case, window_months: int) -> int:
    """Police interventions recorded in the case within the last ``window_months``."""
    from ketenplan.methods.schedule import add_months

    try:
        model = apps.get_model("plans", "PoliceIntervention")
    except LookupError:
        return 0
    since = add_months(timezone.localdate(), -int(window_months))
    return model.objects.filter(case=case, occurred_on__gte=since).count()


def weighing_proposal(*, user, case: Case, assessments: list[Assessment] | None = None) -> Proposal:
    """What the system proposes for the team's weighing (MARAC-style): high when any
    criterion is met — visible high risk, professional judgement, potential escalation —
    else the highest level of the current final assessments."""
    if assessments is None:
        assessments = case_assessments(user=user, case=case)
    current = current_assessments(assessments)
    profile = _profile(case.region)
    escalation = dict(DEFAULT_ESCALATION)
    if profile is not None and profile.escalation:
        escalation.update(profile.escalation)
    score_minimums = {
        c["instrument"]: c["minimum"]
        for c in (profile.referral_criteria if profile is not None else [])
        if c.get("kind") == "risk_score"
    }
    visible = [
        a for a in current
        if a.computed_level == RiskLevel.HIGH
        or a.score >= score_minimums.get(a.instrument_version.instrument.key, 10**9)
    ]
    judged = [a for a in current if a.judgement_band and a.level == RiskLevel.HIGH]
    incidents = police_incidents(case, escalation["window_months"])
    criteria = [
        Criterion(
            "visible_high_risk",
            gettext_lazy("Visible high risk"),
            bool(visible),
            ", ".join(f"{a.instrument_version.name}: {a.person.full_name}" for a in visible),
        ),
        Criterion(
            "professional_judgement",
            gettext_lazy("Professional judgement"),
            bool(judged),
            ", ".join(f"{a.instrument_version.name}: {a.person.full_name}" for a in judged),
        ),
        Criterion(
            "potential_escalation",
            gettext_lazy("Potential escalation"),
            incidents >= escalation["incidents"],
            _("%(count)s police-reported incident(s) in the last %(months)s months "
              "(threshold %(threshold)s).")
            % {
                "count": incidents,
                "months": escalation["window_months"],
                "threshold": escalation["incidents"],
            },
        ),
    ]
    if any(c.met for c in criteria):
        level = RiskLevel.HIGH.value
    elif current:
        level = max((a.level for a in current), key=lambda lv: LEVEL_ORDER.get(lv, 0))
    else:
        level = ""
    return Proposal(
        level=level,
        criteria=criteria,
        assessments=current,
        drafts=sum(1 for a in assessments if not a.is_final),
        police_incidents=incidents,
        escalation=escalation,
    )


# --- Reporting-code guides ----------------------------------------------------------------


def guide_list(*, user) -> QuerySet:
    policy.require(user, "reporting.use")
    return policy.scope(user, "reporting.use", ReportingGuide.objects.all()).select_related(
        "created_by", "decided_by"
    )


def guide_get(*, user, pk) -> ReportingGuide:
    """The guide as this user may see it (a colleague of its organisation), or "not found"."""
    qs = policy.scope(user, "reporting.use", ReportingGuide.objects.all()).select_related(
        "organisation", "created_by", "decided_by", "updated_by"
    )
    try:
        guide = qs.get(pk=pk)
    except (ReportingGuide.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    reads.note_objects(ReportingGuide._meta.label_lower, [guide.pk])
    return guide


def guide_consultations(*, user, guide: ReportingGuide) -> list:
    policy.require(user, "reporting.use", guide)
    return list(guide.consultations.select_related("recorded_by"))


def registration_initial(*, user, guide_id) -> dict:
    """Initial values for the case registration form from a decided guide whose outcome is
    "register for the chain approach"; empty when there is none the user may see."""
    try:
        guide = guide_get(user=user, pk=guide_id)
    except Http404:
        return {}
    if guide.outcome != "chain_approach":
        return {}
    return _prefill(guide)


def _prefill(guide: ReportingGuide) -> dict:
    parts = [guide.signals.strip(), guide.weighing_notes.strip()]
    reason = "\n\n".join(p for p in parts if p)[:MAX_PREFILL_CHARS]
    return {"reason": reason, "violence_kinds": list(guide.violence_kinds)}


def registration_url(guide: ReportingGuide) -> str:
    """The case registration, pre-filled from the guide (query parameters named as the
    registration form's fields, plus the guide's id)."""
    # Only the guide's id: the registration reads the rest through the policy, so no
    # sensitive text ends up in access logs or browser history.
    return f"{REGISTRATION_URL}?{urlencode([('reporting_guide', guide.pk)])}"

