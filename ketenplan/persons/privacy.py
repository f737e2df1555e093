"""The data-protection officer's reads about one person: "who has seen this person" and
the export of everything about them (GDPR access request, art. 15), with third parties
redacted.

Only for coordinators and the data-protection officer (``persons.privacy``), for persons
in a case of their region; both are recorded in the audit trail with the purpose
"privacy" by the views' services (``privacy_record``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ketenplan.audit.models import AuditEvent
from ketenplan.audit.services import audit_record
from ketenplan.core import policy

from .models import ContactDetail, Person

REDACTED = "[redacted: third party]"
REASON_NAME = "name of another person in the case (third party)"
REASON_PERSON = "another person taking part in the contact (third party)"


def person_get(*, user, pk: int) -> Person:
    try:
        person = Person.objects.get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    policy.require(user, "persons.privacy", person)
    return person


@transaction.atomic
def privacy_record(*, actor, person: Person, action: str, request=None, detail: dict | None = None) -> None:
    """Record a privacy read of ``person`` (who-has-seen page, access export)."""
    policy.require(actor, "persons.privacy", person)
    audit_record(
        action=action,
        actor=actor,
        request=request,
        obj=person,
        purpose=AuditEvent.Purpose.PRIVACY,
        detail=detail,
    )


# --- Who has seen this person ---------------------------------------------------------


def _case_ids(person: Person) -> list[int]:
    return list(person.case_memberships.values_list("case_id", flat=True))


def person_audit_events(
    *, user, person: Person, since: date | None = None, until: date | None = None
) -> QuerySet:
    """Audit events that touched the person or a case they are in, newest first."""
    policy.require(user, "persons.privacy", person)
    from ketenplan.dossier.models import Contribution

    cases = [str(pk) for pk in _case_ids(person)]
    contributions = [
        str(pk) for pk in Contribution.objects.filter(about_person=person).values_list("pk", flat=True)
    ]
    touched = (
        Q(object_type="persons.person", object_id=str(person.pk))
        | Q(object_type="cases.case", object_id__in=cases)
        | Q(object_type="dossier.contribution", object_id__in=contributions)
    )
    events = AuditEvent.objects.filter(touched)
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        events = events.filter(at__lt=datetime.combine(until, time.max, tzinfo=tz))
    return events.select_related("actor").order_by("-at", "-pk")


# --- The access-request export ----------------------------------------------------------


@dataclass
class Redactor:
    """Replaces the names of the other persons of the person's cases, and lists each
    redaction with its reason (never the name redacted)."""

    names: list[str]
    redactions: list[dict] = field(default_factory=list)

    @classmethod
    def for_person(cls, person: Person, others: list[Person]) -> Redactor:
        own = {w.lower() for w in person.full_name.split()}
        names: set[str] = set()
        for other in others:
            if other.full_name.strip():
                names.add(other.full_name.strip())
            for word in f"{other.given_names} {other.family_name}".split():
                if len(word) > 1 and word.lower() not in own:
                    names.add(word)
        return cls(sorted(names, key=len, reverse=True))

    def text(self, value: str, where: str) -> str:
        if not value or not self.names:
            return value or ""
        pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in self.names) + r")\b", re.IGNORECASE)
        redacted, count = pattern.subn(REDACTED, value)
        if count:
            self.redactions.append({"where": where, "reason": REASON_NAME, "count": count})
        return redacted

    def persons(self, persons, subject: Person, where: str) -> list[str]:
        out, hidden = [], 0
        for p in persons:
            if p.pk == subject.pk:
                out.append(p.full_name)
            else:
                out.append(REDACTED)
                hidden += 1
        if hidden:
            self.redactions.append({"where": where, "reason": REASON_PERSON, "count": hidden})
        return out


def _day(value) -> Any:
    return value.isoformat() if value else None


def person_export(*, user, person: Person) -> dict:
    """Everything Ketenplan holds about ``person``, third parties redacted."""
    policy.require(user, "persons.privacy", person)
    from ketenplan.cases.models import CaseMember
    from ketenplan.consent.models import Consent, LegalBasis
    from ketenplan.dossier.models import Contribution
    from ketenplan.plans.models import Action, Contact, Goal, Referral
    from ketenplan.risk.models import Assessment

    memberships = list(CaseMember.objects.filter(person=person).select_related("case").order_by("pk"))
    case_ids = [m.case_id for m in memberships]
    others = [
        m.person
        for m in CaseMember.objects.filter(case_id__in=case_ids)
        .exclude(person=person)
        .select_related("person")
    ]
    red = Redactor.for_person(person, others)

    data: dict[str, Any] = {
        "generated_at": timezone.now().isoformat(),
        "person": {
            "id": person.pk,
            "given_names": person.given_names,
            "name_prefix": person.name_prefix,
            "family_name": person.family_name,
            "birth_date": _day(person.birth_date),
            "gender": person.get_gender_display() if person.gender else "",
            "national_number": person.national_number,
            "nationality": person.nationality,
            "language": person.language,
        },
        "cases": [
            {
                "reference": m.case.reference,
                "stage": m.case.get_stage_display(),
                "roles": m.get_roles_display(),
                "registered_at": _day(m.case.registered_at),
                "reason": red.text(m.case.reason, f"case {m.case.reference}: reason for registration"),
            }
            for m in memberships
        ],
        "contact_details": [
            {
                "kind": d.get_kind_display(),
                "value": d.value,
                "confidential": d.is_confidential,
                "valid_from": _day(d.valid_from),
                "valid_until": _day(d.valid_until),
            }
            for d in ContactDetail.objects.filter(person=person).order_by("valid_from", "pk")
        ],
        "contributions": [
            {
                "case": c.case.reference,
                "date": _day(c.occurred_on),
                "life_domain": str(c.life_domain),
                "organisation": str(c.organisation),
                "current": c.is_current,
                "text": red.text(c.text, f"contribution {c.pk}"),
            }
            for c in Contribution.objects.filter(about_person=person)
            .select_related("case", "life_domain", "organisation")
            .order_by("occurred_on", "pk")
        ],
        "consents": [
            {
                "case": c.case.reference,
                "status": c.get_status_display(),
                "scope": c.get_scope_display() if c.scope else "",
                "recorded_at": _day(c.recorded_at),
            }
            for c in Consent.objects.filter(person=person)
            .select_related("case")
            .order_by("recorded_at", "pk")
        ],
        "legal_bases": [
            {
                "case": b.case.reference,
                "basis": b.get_basis_display(),
                "valid_from": _day(b.valid_from),
                "valid_until": _day(b.valid_until),
                "justification": red.text(b.justification, f"legal basis {b.pk}: justification"),
            }
            for b in LegalBasis.objects.filter(person=person).select_related("case").order_by("pk")
        ],
        "risk_assessments": [
            {
                "case": a.case.reference,
                "status": a.get_status_display(),
                "level": a.get_level_display() if a.level else "",
                "score": a.score,
                "assessed_at": _day(a.assessed_at),
            }
            for a in Assessment.objects.filter(person=person).select_related("case").order_by("pk")
        ],
        "goals": [
            {
                "case": g.plan_version.case.reference,
                "plan_version": g.plan_version.number,
                "goal": red.text(g.description, f"goal {g.pk}"),
            }
            for g in Goal.objects.filter(about_person=person)
            .select_related("plan_version__case")
            .order_by("pk")
        ],
        "actions": [
            {
                "case": a.case.reference,
                "action": red.text(a.description, f"action {a.pk}"),
                "due_on": _day(a.due_on),
                "status": a.get_status_display(),
            }
            for a in Action.objects.filter(goal__about_person=person).select_related("case").order_by("pk")
        ],
        "referrals": [
            {"case": r.case.reference, "service": r.service, "status": r.get_status_display()}
            for r in Referral.objects.filter(person=person).select_related("case").order_by("pk")
        ],
        "contacts": [
            {
                "case": c.case.reference,
                "at": _day(c.at),
                "kind": c.get_kind_display(),
                "with": red.persons(c.with_persons.all(), person, f"contact {c.pk}: participants"),
                "summary": red.text(c.summary, f"contact {c.pk}: summary"),
            }
            for c in Contact.objects.filter(with_persons=person)
            .select_related("case")
            .prefetch_related("with_persons")
            .order_by("at", "pk")
        ],
    }
    data["redactions"] = red.redactions
    return data
