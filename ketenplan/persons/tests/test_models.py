"""Invariants the database keeps, whatever code writes."""

import io
from datetime import date

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import IntegrityError, transaction

from ketenplan.persons.models import ContactDetail, Person, PersonRevision, Relation
from ketenplan.persons.tests.factories import (
    ContactDetailFactory,
    PersonFactory,
    RelationFactory,
)

pytestmark = pytest.mark.django_db


def refused_by_the_database(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_a_person_is_not_related_to_themselves():
    person = PersonFactory()
    refused_by_the_database(lambda: RelationFactory(person_a=person, person_b=person))


def test_a_relation_is_recorded_once():
    mother, child = PersonFactory(), PersonFactory()
    RelationFactory(person_a=mother, person_b=child, kind=Relation.Kind.PARENT)
    refused_by_the_database(
        lambda: RelationFactory(person_a=mother, person_b=child, kind=Relation.Kind.PARENT)
    )


def test_a_mutual_relation_is_stored_with_the_lower_id_first():
    first, second = PersonFactory(), PersonFactory()
    refused_by_the_database(
        lambda: RelationFactory(person_a=second, person_b=first, kind=Relation.Kind.SIBLING)
    )
    RelationFactory(person_a=first, person_b=second, kind=Relation.Kind.SIBLING)


def test_a_person_has_a_name():
    refused_by_the_database(lambda: PersonFactory(given_names="", family_name=""))
    PersonFactory(given_names="", family_name="Peeters")  # a baby without a given name yet


def test_a_national_number_has_9_or_11_digits_and_is_unique():
    refused_by_the_database(lambda: PersonFactory(national_number="8507300332"))
    PersonFactory(national_number="123456782")
    refused_by_the_database(lambda: PersonFactory(national_number="123456782"))
    PersonFactory(national_number=None)
    PersonFactory(national_number=None)  # unknown numbers do not collide


def test_a_contact_period_ends_after_it_starts():
    refused_by_the_database(
        lambda: ContactDetailFactory(valid_from=date(2024, 6, 1), valid_until=date(2024, 5, 1))
    )


def test_one_revision_per_version():
    person = PersonFactory()
    PersonRevision.objects.create(person=person, version=1, values={}, changed_by=person.created_by)
    refused_by_the_database(
        lambda: PersonRevision.objects.create(
            person=person, version=1, values={}, changed_by=person.created_by
        )
    )


def test_saving_keeps_the_search_keys_up_to_date():
    person = PersonFactory(given_names="Jan", family_name="Peeters")
    person.family_name = "Van den Broeck"
    person.save(update_fields=["family_name"])

    stored = Person.objects.get(pk=person.pk)
    assert stored.name_key == "vandenbroeck"


def test_refresh_person_search_keys_command():
    person = PersonFactory(given_names="Mehmet", family_name="Yilmaz")
    Person.objects.filter(pk=person.pk).update(phonetic_key="", given_phonetic_key="stale")

    output = io.StringIO()
    call_command("refresh_person_search_keys", stdout=output)

    stored = Person.objects.get(pk=person.pk)
    assert (stored.phonetic_key, stored.given_phonetic_key) == (person.phonetic_key, "MMT")
    assert "1 person(s) changed" in output.getvalue()


def test_personal_data_is_not_in_the_admin():
    for model in (Person, PersonRevision, Relation, ContactDetail):
        assert not admin.site.is_registered(model)
