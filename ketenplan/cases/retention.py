"""Retention: closed cases are anonymised a number of years after closure
(``Region.retention_years``, default 7), by ``anonymise_expired_cases`` (command and
scheduled task). Idempotent: an anonymised case is marked (``anonymised_at``) and skipped.

What goes: the family label, the registration reason and crisis measures, the text and
source of every contribution, contact summaries, attached documents; and, for persons
who appear only in expired cases, their names, identifiers, contact details, revisions
(which hold former names) and the exact birth date (only the year is kept).

What stays, pseudonymous: the case reference, region, stages and their dates, transitions,
risk levels, outcomes, counts of members, contributions, actions, contacts. The audit
trail has its own retention (``audit.services.prune_expired``) and names objects by id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ketenplan.accounts.models import Region
from ketenplan.audit.services import audit_record

from .models import Case, CaseMember, Stage

logger = logging.getLogger("ketenplan.retention")

ANONYMOUS_NAME = "Anonymised"


def _years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def expired_cases(*, now: datetime | None = None) -> QuerySet:
    """Closed, not yet anonymised cases whose region's retention period has passed."""
    now = now or timezone.now()
    ids: list[int] = []
    for region in Region.objects.only("pk", "retention_years"):
        cutoff = _years_before(now, region.retention_years)
        ids.extend(
            Case.objects.filter(
                region=region, stage=Stage.CLOSED, closed_at__lt=cutoff, anonymised_at__isnull=True
            ).values_list("pk", flat=True)
        )
    return Case.objects.filter(pk__in=ids).order_by("pk")


def _persons_only_in_expired(case: Case, now: datetime) -> list[int]:
    """Members of ``case`` who are in no case that is still kept."""
    from ketenplan.persons.models import Person

    kept = CaseMember.objects.filter(person=OuterRef("pk")).exclude(case_id=case.pk).filter(
        case__anonymised_at__isnull=True
    )
    expired = set(expired_cases(now=now).values_list("pk", flat=True))
    candidates = Person.objects.filter(case_memberships__case=case).annotate(
        elsewhere=Exists(kept.exclude(case_id__in=expired))
    )
    return [p.pk for p in candidates if not p.elsewhere]


@transaction.atomic
def case_anonymise(*, case: Case, now: datetime | None = None) -> bool:
    """Anonymise one expired case (and the persons only in expired cases); False when it
    was done already."""
    from django.core.files.storage import default_storage

    from ketenplan.dossier.models import Attachment, Contribution
    from ketenplan.persons.models import ContactDetail, Person, PersonRevision
    from ketenplan.plans.models import Contact

    now = now or timezone.now()
    locked = Case.objects.select_for_update().filter(pk=case.pk, anonymised_at__isnull=True).first()
    if locked is None:
        return False
    persons = _persons_only_in_expired(locked, now)
    contributions = Contribution.objects.filter(case=locked)
    counts = {"contributions": contributions.count(), "persons": len(persons)}
    # Row by row: encrypted columns are written through the field (ciphertext of "").
    for contribution in contributions:
        contribution.text = ""
        contribution.source = ""
        contribution.save(update_fields=["text", "source"])
    for contact in Contact.objects.filter(case=locked):
        contact.summary = ""
        contact.save(update_fields=["summary"])
    files = list(Attachment.objects.filter(case=locked).values_list("file", flat=True))
    locked.family_label = f"{ANONYMOUS_NAME} {locked.reference}"
    locked.reason = ""
    locked.crisis_measures = ""
    locked.anonymised_at = now
    locked.save(update_fields=["family_label", "reason", "crisis_measures", "anonymised_at"])
    ContactDetail.objects.filter(person_id__in=persons).delete()
    PersonRevision.objects.filter(person_id__in=persons).update(values={}, reason="")
    for person in Person.objects.filter(pk__in=persons):
        person.given_names = ""
        person.name_prefix = ""
        person.family_name = f"{ANONYMOUS_NAME} {person.pk}"
        person.national_number = None
        if person.birth_date:
            person.birth_date = date(person.birth_date.year, 1, 1)
            person.birth_date_approximate = True
        person.save()
    audit_record(
        action="case.anonymised",
        obj=locked,
        actor_label="retention",
        detail={**counts, "attachments": len(files), "persons_anonymised": persons},
    )
    # Documents go once the anonymisation is committed.
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files if name])
    return True


@dataclass(frozen=True)
class RetentionResult:
    anonymised: list[int]


def anonymise_expired_cases(*, now: datetime | None = None, dry_run: bool = False) -> RetentionResult:
    now = now or timezone.now()
    done = []
    for case in expired_cases(now=now):
        if dry_run or case_anonymise(case=case, now=now):
            done.append(case.pk)
    if done and not dry_run:
        logger.info("retention: anonymised %d closed cases", len(done))
    return RetentionResult(anonymised=done)
