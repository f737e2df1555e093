"""Use cases of risk weighing and the reporting code. Every write goes through here.

Each function is keyword-only, runs in one transaction, checks the access policy and
writes its audit row inside the transaction. Loading instruments: ``actor`` is the
administrator (admin) or None for the system (data migration, ``load_instruments``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.cases import services as case_services
from ketenplan.cases import workflow
from ketenplan.cases.models import Case, CaseMember, RiskWeighing, Stage
from ketenplan.cases.workflow import TransitionRefused
from ketenplan.core import policy
from ketenplan.core.exceptions import ConflictError
from ketenplan.methods.language import localized

from . import schema, scoring
from .models import (
    LEVEL_ORDER,
    Assessment,
    Consultation,
    GuideOutcome,
    Instrument,
    InstrumentVersion,
    RegionInstrument,
    ReportingGuide,
    Unsafety,
    WeighingBasis,
)

ADMINISTER = "accounts.administer"
SYSTEM_LABEL = "system (load_instruments)"


# --- Instruments --------------------------------------------------------------------------


@dataclass(frozen=True)
class InstrumentLoadResult:
    instrument: Instrument
    version: InstrumentVersion
    created: bool  # False when the file matched the loaded version (nothing changed)


def _check_actor(actor) -> None:
    if actor is not None:
        policy.require(actor, ADMINISTER)


def _planned(definition: dict, instrument: Instrument | None, latest: InstrumentVersion | None,
             expected_key: str | None) -> bool:
    """Whether loading creates a new version (False: unchanged). Raises when refused."""
    key = definition["key"]
    if expected_key is not None and key != expected_key:
        raise ValidationError(
            _("This file defines instrument “%(key)s”, not “%(expected)s”.")
            % {"key": key, "expected": expected_key},
            code="wrong_key",
        )
    if latest is None:
        return True
    if definition["version"] == latest.number:
        if definition == latest.definition:
            return False
        raise ValidationError(
            _("Instrument “%(key)s” version %(version)s is loaded already with different "
              "content; raise the version number to load it as a new version.")
            % {"key": key, "version": latest.number},
            code="same_version",
        )
    if definition["version"] < latest.number:
        raise ValidationError(
            _("Instrument “%(key)s” is at version %(loaded)s already; version %(version)s is older.")
            % {"key": key, "loaded": latest.number, "version": definition["version"]},
            code="older_version",
        )
    return True


def instrument_check(*, text: str, expected_key: str | None = None) -> dict[str, Any]:
    """Check a file as ``instrument_load`` would, without writing: the definition, or
    ``ValidationError`` listing every problem. Forms call this to show the problems."""
    definition = schema.parse(text)
    instrument = Instrument.objects.filter(key=definition["key"]).first()
    latest = instrument.versions.order_by("-number").first() if instrument else None
    _planned(definition, instrument, latest, expected_key)
    return definition


@transaction.atomic
def instrument_load(
    *, text: str, actor=None, request=None, source: str = "", expected_key: str | None = None
) -> InstrumentLoadResult:
    """Load the instrument defined by the YAML ``text`` as a new version (or a new
    instrument). A malformed file raises ``InstrumentError`` listing every problem and
    nothing changes; loading the same file twice changes nothing."""
    _check_actor(actor)
    definition = schema.parse(text)
    instrument = Instrument.objects.select_for_update().filter(key=definition["key"]).first()
    latest = instrument.versions.order_by("-number").first() if instrument else None
    if not _planned(definition, instrument, latest, expected_key):
        return InstrumentLoadResult(instrument, latest, created=False)
    names = {"name_nl": definition["name"]["nl"], "name_en": definition["name"]["en"]}
    if instrument is None:
        instrument = Instrument.objects.create(key=definition["key"], **names)
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=definition["version"],
        definition=definition,
        source_text=text,
        source=source[:200],
        loaded_by=actor,
    )
    for name, value in names.items():
        setattr(instrument, name, value)
    instrument.current_version = version
    instrument.save(update_fields=[*names, "current_version"])
    audit_record(
        action="risk.instrument_loaded",
        actor=actor,
        request=request,
        obj=version,
        detail={
            "key": instrument.key,
            "version": version.number,
            "previous_version": latest.number if latest else None,
            "source": source,
        },
        actor_label="" if actor is not None else SYSTEM_LABEL,
    )
    return InstrumentLoadResult(instrument, version, created=True)


@transaction.atomic
def instrument_set_active(*, actor, instrument: Instrument, is_active: bool, request=None) -> Instrument:
    _check_actor(actor)
    if instrument.is_active != is_active:
        instrument.is_active = is_active
        instrument.save(update_fields=["is_active"])
        audit_record(
            action="risk.instrument_activated" if is_active else "risk.instrument_deactivated",
            actor=actor,
            request=request,
            obj=instrument,
            detail={"key": instrument.key},
        )
    return instrument


@transaction.atomic
def region_instrument_save(*, actor, choice: RegionInstrument, request=None) -> RegionInstrument:
    """Add or change an instrument a region's weighing uses (administrators)."""
    _check_actor(actor)
    created = choice.pk is None
    choice.full_clean()
    choice.save()
    audit_record(
        action="risk.region_instrument_added" if created else "risk.region_instrument_changed",
        actor=actor,
        request=request,
        obj=choice,
        detail={
            "region": choice.region_id,
            "instrument": choice.instrument.key,
            "order": choice.order,
            "is_active": choice.is_active,
        },
    )
    return choice


# --- Assessments --------------------------------------------------------------------------


def _lock_assessment(assessment: Assessment, expected_version: int | None) -> Assessment:
    fresh = (
        # Only this row: ``updated_by`` is a nullable join, which PostgreSQL cannot lock.
        Assessment.objects.select_for_update(of=("self",))
        .select_related("instrument_version", "updated_by", "case")
        .get(pk=assessment.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise ConflictError(
            changed_by=fresh.updated_by, changed_at=fresh.updated_at, current_version=fresh.version
        )
    return fresh


def _apply_outcome(assessment: Assessment) -> scoring.Outcome:
    """Score the answers and set the derived fields (the judgement stays)."""
    definition = assessment.instrument_version.parsed
    outcome = scoring.evaluate(definition, assessment.answers)
    assessment.score = outcome.score
    assessment.unknown_count = outcome.unknown_count
    assessment.missing_count = len(outcome.missing)
    assessment.computed_band = outcome.computed_band
    assessment.computed_level = definition.level(outcome.computed_band)
    assessment.triggers = outcome.fired
    assessment.flags = outcome.flags
    if assessment.judgement_band and definition.rank(assessment.judgement_band) <= definition.rank(
        outcome.computed_band
    ):
        # The answers now give this band or more by themselves: the judgement adds nothing.
        assessment.judgement_band = ""
        assessment.judgement_reason = ""
        assessment.judgement_by = None
        assessment.judgement_at = None
    assessment.final_band = scoring.final_band(definition, outcome.computed_band, assessment.judgement_band)
    assessment.level = definition.level(assessment.final_band)
    return outcome


def _answers_or_raise(definition, raw: dict) -> dict:
    answers, errors = scoring.clean_answers(definition, raw)
    if errors:
        raise ValidationError({f"item_{key}": message for key, message in errors.items()})
    return answers


@transaction.atomic
def assessment_start(
    *, actor, case: Case, instrument: Instrument, member: CaseMember, request=None
) -> Assessment:
    """Start a draft assessment of a case member with the instrument's current version."""
    policy.require(actor, "risk.assess", case)
    if member.case_id != case.pk:
        raise ValidationError({"member": _("Choose a member of this family.")})
    from .selectors import instruments_for_region

    if instrument.pk not in {i.pk for i in instruments_for_region(case.region)}:
        raise ValidationError({"instrument": _("This instrument is not used in your region.")})
    version = instrument.current_version
    if version is None:
        raise ValidationError({"instrument": _("This instrument has no loaded version.")})
    assessment = Assessment(
        case=case,
        person_id=member.person_id,
        instrument_version=version,
        answers={},
        assessed_by=actor,
        organisation_id=actor.organisation_id,
        updated_by=actor,
    )
    _apply_outcome(assessment)
    assessment.save()
    audit_record(
        action="risk.assessment_started",
        actor=actor,
        request=request,
        obj=assessment,
        detail={"case": case.pk, "person": member.person_id, "instrument": instrument.key,
                "version": version.number},
    )
    return assessment


@transaction.atomic
def assessment_save_draft(
    *, actor, assessment: Assessment, answers: dict, note: str = "",
    expected_version: int | None = None, request=None,
) -> Assessment:
    """Save the answers so far; an incomplete draft is fine."""
    policy.require(actor, "risk.edit", assessment)
    locked = _lock_assessment(assessment, expected_version)
    policy.require(actor, "risk.edit", locked)
    locked.answers = _answers_or_raise(locked.instrument_version.parsed, answers)
    locked.note = note.strip()
    _apply_outcome(locked)
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    audit_record(
        action="risk.assessment_draft_saved",
        actor=actor,
        request=request,
        obj=locked,
        detail={"answered": len(locked.answers), "missing": locked.missing_count},
    )
    return locked


@transaction.atomic
def assessment_finalise(
    *, actor, assessment: Assessment, answers: dict | None = None, note: str | None = None,
    judgement_band: str = "", judgement_reason: str = "",
    expected_version: int | None = None, request=None,
) -> Assessment:
    """Finalise: every required question answered ("unknown" is an answer). Optionally
    with professional judgement raising the band. A final assessment's answers never
    change; a re-assessment is a new assessment."""
    policy.require(actor, "risk.edit", assessment)
    locked = _lock_assessment(assessment, expected_version)
    policy.require(actor, "risk.edit", locked)
    definition = locked.instrument_version.parsed
    if answers is not None:
        locked.answers = _answers_or_raise(definition, answers)
    if note is not None:
        locked.note = note.strip()
    outcome = _apply_outcome(locked)
    if outcome.missing:
        texts = [localized(definition.items[i]["text"]) for i in outcome.missing]
        raise ValidationError(
            {f"item_{i}": _("Answer this question (choose “unknown” when you do not know).")
             for i in outcome.missing}
            | {"__all__": [_("%(count)s question(s) are not answered yet: %(questions)s")
                           % {"count": len(texts), "questions": "; ".join(texts)}]}
        )
    now = timezone.now()
    if judgement_band:
        problem = scoring.judgement_problem(
            definition, locked.computed_band, judgement_band, judgement_reason
        )
        if problem:
            raise ValidationError({"judgement_band": problem})
        locked.judgement_band = judgement_band
        locked.judgement_reason = judgement_reason.strip()
        locked.judgement_by = actor
        locked.judgement_at = now
        locked.final_band = judgement_band
        locked.level = definition.level(judgement_band)
    locked.status = Assessment.Status.FINAL
    locked.assessed_at = now
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    audit_record(
        action="risk.assessment_finalised",
        actor=actor,
        request=request,
        obj=locked,
        detail={
            "score": locked.score,
            "unknown": locked.unknown_count,
            "computed_band": locked.computed_band,
            "final_band": locked.final_band,
            "triggers": locked.triggers,
            "judgement": bool(locked.judgement_band),
        },
    )
    return locked


@transaction.atomic
def assessment_judge(
    *, actor, assessment: Assessment, band: str, reason: str,
    expected_version: int | None = None, request=None,
) -> Assessment:
    """Professional judgement on a final assessment: raise its band, with a reason. Never
    lower: neither below the instrument's band nor below an earlier judgement."""
    policy.require(actor, "risk.judge", assessment)
    locked = _lock_assessment(assessment, expected_version)
    policy.require(actor, "risk.judge", locked)
    definition = locked.instrument_version.parsed
    problem = scoring.judgement_problem(definition, locked.final_band, band, reason)
    if problem:
        raise ValidationError({"band": problem})
    before = locked.final_band
    locked.judgement_band = band
    locked.judgement_reason = reason.strip()
    locked.judgement_by = actor
    locked.judgement_at = timezone.now()
    locked.final_band = band
    locked.level = definition.level(band)
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    audit_record(
        action="risk.assessment_judged",
        actor=actor,
        request=request,
        obj=locked,
        detail={"from": before, "to": band},
    )
    return locked


@transaction.atomic
def weighing_confirm(
    *, actor, case: Case, level: str, reasoning: str, advice: str = "",
    expected_version: int | None = None, request=None,
) -> RiskWeighing:
    """The team confirms the weighing on the basis of the final assessments: the one way
    a case is weighed (the risk page, the minutes of a meeting and the API all call this).
    At least one final assessment the team can see; the level may be the system's
    proposal or higher, never lower. The routing of METHOD.md §3.5 (plan, or advice and
    closure) is ``cases.services.risk_weighing_record``'s, through the guarded workflow.
    A refusal changes nothing."""
    from .selectors import weighing_proposal

    policy.require(actor, "case.weigh", case)
    if case.stage != Stage.WEIGHING:
        # The stage decides first: no point asking for assessments on a closed case.
        raise TransitionRefused(workflow.refusal(case, "weighed_high"))
    proposal = weighing_proposal(user=actor, case=case)
    if not proposal.assessments:
        raise ValidationError(_("Finalise at least one assessment before the team weighs the risk."))
    if level in LEVEL_ORDER and LEVEL_ORDER[level] < LEVEL_ORDER[proposal.level]:
        raise ValidationError({
            "level": _("The assessments propose “%(proposed)s”; the team may raise the level, "
                       "never lower it.") % {"proposed": proposal.level_label}
        })
    weighing = case_services.risk_weighing_record(
        actor=actor,
        case=case,
        level=level,
        reasoning=reasoning,
        advice=advice,
        expected_version=expected_version,
        request=request,
    )
    basis = WeighingBasis.objects.create(
        weighing=weighing,
        proposed_level=proposal.level,
        criteria=[c.key for c in proposal.criteria if c.met],
        police_incidents=proposal.police_incidents,
    )
    basis.assessments.set(proposal.assessments)
    audit_record(
        action="risk.weighing_confirmed",
        actor=actor,
        request=request,
        obj=case,
        detail={
            "level": level,
            "proposed": proposal.level,
            "criteria": basis.criteria,
            "assessments": [a.pk for a in proposal.assessments],
        },
    )
    return weighing


# --- The reporting code -------------------------------------------------------------------

GUIDE_TEXT_FIELDS = ("signals", "consultation_notes", "conversation", "weighing_notes", "decision_notes")
GUIDE_QUESTIONS = ("q_suspicion", "q_unsafety", "q_can_help", "q_help_accepted", "q_help_safe")


def _lock_guide(guide: ReportingGuide, expected_version: int | None) -> ReportingGuide:
    fresh = (
        ReportingGuide.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=guide.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise ConflictError(
            changed_by=fresh.updated_by, changed_at=fresh.updated_at, current_version=fresh.version
        )
    return fresh


def _touch_guide(guide: ReportingGuide, actor) -> None:
    guide.version += 1
    guide.updated_by = actor


@transaction.atomic
def guide_start(
    *, actor, title: str, violence_kinds: list[str] | None = None, request=None
) -> ReportingGuide:
    policy.require(actor, "reporting.use")
    if not title.strip():
        raise ValidationError({"title": _("Describe the situation in a few words.")})
    guide = ReportingGuide.objects.create(
        organisation_id=actor.organisation_id,
        title=title.strip(),
        violence_kinds=sorted(set(violence_kinds or [])),
        created_by=actor,
        updated_by=actor,
    )
    audit_record(action="reporting.guide_started", actor=actor, request=request, obj=guide)
    return guide


@transaction.atomic
def guide_update(
    *, actor, guide: ReportingGuide, values: dict[str, Any],
    expected_version: int | None = None, request=None,
) -> ReportingGuide:
    """Save the notes of the steps and the answers to the five questions so far."""
    policy.require(actor, "reporting.edit", guide)
    locked = _lock_guide(guide, expected_version)
    policy.require(actor, "reporting.edit", locked)
    changed = []
    for name in ("title", "violence_kinds", *GUIDE_TEXT_FIELDS, *GUIDE_QUESTIONS):
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, str):
            value = value.strip()
        if name == "title" and not value:
            raise ValidationError({"title": _("Describe the situation in a few words.")})
        if name == "q_unsafety" and value not in ("", *Unsafety.values):
            raise ValidationError({"q_unsafety": _("Choose one of the answers offered.")})
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if changed:
        _touch_guide(locked, actor)
        locked.save()
        audit_record(
            action="reporting.guide_updated", actor=actor, request=request, obj=locked,
            detail={"fields": changed},
        )
    return locked


@transaction.atomic
def consultation_record(
    *, actor, guide: ReportingGuide, kind: str, with_whom: str, on: date, advice: str = "",
    request=None,
) -> Consultation:
    policy.require(actor, "reporting.edit", guide)
    locked = _lock_guide(guide, None)
    policy.require(actor, "reporting.edit", locked)
    errors = {}
    if kind not in Consultation.Kind.values:
        errors["kind"] = _("Choose whom you consulted.")
    if not with_whom.strip():
        errors["with_whom"] = _("Say with whom you consulted.")
    if on is None:
        errors["on"] = _("Say when you consulted.")
    elif on > timezone.localdate():
        errors["on"] = _("A consultation cannot lie in the future.")
    if errors:
        raise ValidationError(errors)
    consultation = Consultation.objects.create(
        guide=locked, kind=kind, with_whom=with_whom.strip(), on=on, advice=advice.strip(), recorded_by=actor
    )
    _touch_guide(locked, actor)
    locked.save(update_fields=["version", "updated_by", "updated_at"])
    guide.version = locked.version
    audit_record(
        action="reporting.consultation_recorded", actor=actor, request=request, obj=consultation,
        detail={"guide": locked.pk, "kind": kind},
    )
    return consultation


def reporting_required(guide: ReportingGuide) -> str | None:
    """Why reporting to Veilig Thuis is mandatory for these answers, or None."""
    if guide.q_unsafety in (Unsafety.ACUTE, Unsafety.STRUCTURAL, Unsafety.BOTH):
        return _("There is acute or structural unsafety: reporting to Veilig Thuis is mandatory.")
    if guide.q_suspicion and guide.q_unsafety == Unsafety.NONE:
        if guide.q_can_help is False:
            return _("You cannot give or organise effective help yourself: report to Veilig Thuis.")
        if guide.q_help_accepted is False:
            return _("The people involved do not accept the help: report to Veilig Thuis.")
        if guide.q_help_safe is False:
            return _("The help does not bring safety in time: report to Veilig Thuis.")
    return None


def decision_problems(guide: ReportingGuide, outcome: str) -> dict[str, str]:
    """What stands in the way of deciding ``outcome`` now, per field."""
    problems: dict[str, str] = {}
    if outcome not in GuideOutcome.values:
        return {"outcome": _("Choose the decision.")}
    if not guide.consultations.exists():
        problems["outcome"] = _("Step 2: record at least one consultation (a colleague, and if "
                                "needed Veilig Thuis) before deciding.")
    if guide.q_suspicion is None:
        problems["q_suspicion"] = _("Answer the first question: is there a suspicion?")
    elif guide.q_suspicion:
        if not guide.q_unsafety:
            problems["q_unsafety"] = _("Answer the second question: is there acute or structural unsafety?")
        elif guide.q_unsafety == Unsafety.NONE and outcome != GuideOutcome.REPORT:
            for name, question in (
                ("q_can_help", _("can you give or organise effective help?")),
                ("q_help_accepted", _("do the people involved accept the help?")),
                ("q_help_safe", _("does the help bring safety in time?")),
            ):
                if getattr(guide, name) is None:
                    problems[name] = _("Answer this question: %(question)s") % {"question": question}
        if outcome == GuideOutcome.NO_ACTION:
            problems.setdefault("outcome", _(
                "There is a suspicion of violence: choose to report or to organise help."))
    required = reporting_required(guide)
    if required and outcome != GuideOutcome.REPORT:
        problems["outcome"] = required
    return problems


@transaction.atomic
def guide_decide(
    *, actor, guide: ReportingGuide, outcome: str, notes: str = "",
    expected_version: int | None = None, request=None,
) -> ReportingGuide:
    """Step 5: decide. Acute or structural unsafety makes reporting mandatory: any other
    decision is refused, and so is one the five questions do not support."""
    policy.require(actor, "reporting.edit", guide)
    locked = _lock_guide(guide, expected_version)
    policy.require(actor, "reporting.edit", locked)
    problems = decision_problems(locked, outcome)
    if problems:
        raise ValidationError(problems)
    locked.outcome = outcome
    locked.decision_notes = notes.strip() or locked.decision_notes
    locked.status = ReportingGuide.Status.DECIDED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    _touch_guide(locked, actor)
    locked.save()
    audit_record(
        action="reporting.guide_decided", actor=actor, request=request, obj=locked,
        detail={"outcome": outcome, "unsafety": locked.q_unsafety},
    )
    return locked

