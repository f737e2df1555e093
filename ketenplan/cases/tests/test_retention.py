"""Retention: closed cases are anonymised after their region's retention period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Case, Stage
from ketenplan.cases.retention import anonymise_expired_cases, expired_cases
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.dossier.models import Contribution
from ketenplan.methods.models import LifeDomain
from ketenplan.persons import services as person_services
from ketenplan.persons.models import ContactDetail, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = make_world()
    w.closed = case_at(w, Stage.CLOSED)
    w.sara = w.closed.members.get(person__given_names="Sara").person
    Contribution.objects.create(
        case=w.closed, about_person=w.sara, life_domain=LifeDomain.objects.first(),
        organisation=w.police, author=w.referrer, occurred_on=timezone.localdate(),
        text="Sara was threatened.", source="Report",
    )
    person_services.contact_detail_add(
        actor=w.referrer, person=w.sara, kind=ContactDetail.Kind.PHONE, value="+32 470 12 34 56"
    )
    return w


def age(case: Case, years: int, days: int = 1) -> None:
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=365 * years + days))


def test_cases_within_the_period_are_kept(w):
    age(w.closed, 6)
    assert list(expired_cases()) == []
    assert anonymise_expired_cases().anonymised == []


def test_an_expired_case_is_anonymised_keeping_statistics(w):
    age(w.closed, 8)
    stage, risk, outcome = w.closed.stage, w.closed.risk_level, w.closed.closure_kind
    members = w.closed.members.count()
    call_command("anonymise_expired_cases")
    case = Case.objects.get(pk=w.closed.pk)
    assert case.anonymised_at is not None
    assert "Peeters" not in case.family_label and case.reason == ""
    assert (case.stage, case.risk_level, case.closure_kind) == (stage, risk, outcome)
    assert case.members.count() == members
    assert Contribution.objects.get(case=case).text == ""
    sara = Person.objects.get(pk=w.sara.pk)
    assert "Sara" not in sara.full_name and "El Amrani" not in sara.full_name
    assert sara.birth_date.month == 1 and sara.birth_date.day == 1
    assert not ContactDetail.objects.filter(person=sara).exists()
    assert AuditEvent.objects.filter(action="case.anonymised", object_id=str(case.pk)).count() == 1
    # Idempotent.
    assert anonymise_expired_cases().anonymised == []


def test_a_person_still_in_a_kept_case_keeps_their_name(w):
    age(w.closed, 8)
    open_case = case_at(w, Stage.DOSSIER)
    from ketenplan.cases.models import CaseMember

    CaseMember.objects.create(case=open_case, person=w.sara, roles=["victim"], added_by=w.referrer)
    anonymise_expired_cases()
    assert Person.objects.get(pk=w.sara.pk).given_names == "Sara"


def test_the_period_is_per_region(w):
    age(w.closed, 4)
    w.region.retention_years = 3
    w.region.save()
    assert anonymise_expired_cases().anonymised == [w.closed.pk]
