"""Use cases: registering and correcting persons, relations, contact details."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation

from ketenplan.audit.models import AuditEvent
from ketenplan.core.exceptions import ConflictError
from ketenplan.persons import services
from ketenplan.persons.models import ContactDetail, Person, PersonRevision, Relation
from ketenplan.persons.services import (
    contact_detail_add,
    contact_detail_end,
    person_create,
    person_update,
    relation_add,
)
from ketenplan.persons.tests.factories import ContactDetailFactory, PersonFactory

pytestmark = pytest.mark.django_db

BORN_1985 = "85073003328"
BSN = "123456782"


def audit_rows(obj):
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    )


# --- person_create ------------------------------------------------------------------------


def test_register_a_person(alice):
    person = person_create(
        actor=alice,
        given_names=" Jan  Pieter ",
        name_prefix="van den",
        family_name="Broeck",
        birth_date=date(1985, 7, 30),
        gender=Person.Gender.MALE,
        national_number="85.07.30-033.28",
        language="Nederlands",
    )

    person.refresh_from_db()
    assert person.given_names == "Jan Pieter"
    assert person.full_name == "Jan Pieter van den Broeck"
    assert person.national_number == BORN_1985
    assert person.national_number_kind == "BE"
    assert person.version == 1
    assert person.created_by == alice and person.updated_by == alice
    assert (person.name_key, person.given_name_key) == ("vandenbroeck", "jan")
    assert person.phonetic_key and person.given_phonetic_key


def test_registering_writes_an_audit_row_without_personal_data(alice):
    person = person_create(
        actor=alice, given_names="Fatma", family_name="Yilmaz", national_number=BSN
    )

    [row] = audit_rows(person)
    assert row.action == "person.created"
    assert row.actor == alice
    assert row.organisation_id == alice.organisation_id
    assert row.detail == {}
    assert "Yilmaz" not in str(row.__dict__) and BSN not in str(row.__dict__)


def test_the_audit_row_rolls_back_with_the_registration(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        person_create(actor=alice, given_names="Els", family_name="Maes")
        raise RuntimeError("the surrounding use case fails")

    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action="person.created").exists()


def test_no_registration_without_its_audit_row(alice, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(services, "audit_record", broken_audit)

    with pytest.raises(RuntimeError):
        person_create(actor=alice, given_names="Els", family_name="Maes")

    assert not Person.objects.exists()


def test_a_national_number_is_registered_once(alice, bob):
    person_create(actor=alice, given_names="Jan", family_name="Peeters", national_number=BSN)

    with pytest.raises(ValidationError) as error:
        person_create(actor=bob, given_names="Johan", family_name="Peters", national_number=BSN)

    assert "national_number" in error.value.message_dict
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"given_names": "", "family_name": ""}, "family_name"),
        ({"national_number": "85073003329"}, "national_number"),
        ({"birth_date": timezone.localdate() + timedelta(days=1)}, "birth_date"),
        ({"birth_date": date(1850, 1, 1)}, "birth_date"),
        ({"gender": "robot"}, "gender"),
        ({"family_name": "x" * 201}, "family_name"),
    ],
)
def test_bad_input_is_refused_per_field(alice, values, field):
    arguments = {"given_names": "Jan", "family_name": "Peeters", **values}

    with pytest.raises(ValidationError) as error:
        person_create(actor=alice, **arguments)

    assert field in error.value.message_dict
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_analyst_cannot_register_persons(carla):
    with pytest.raises(PermissionDenied):
        person_create(actor=carla, given_names="Jan", family_name="Peeters")


# --- person_update ------------------------------------------------------------------------


def test_correct_a_person_keeps_the_previous_version(alice, bob):
    person = person_create(
        actor=alice, given_names="Mohamed", family_name="Elamrani", birth_date=date(1980, 1, 1)
    )

    person_update(
        actor=bob,
        person=person,
        expected_version=1,
        family_name="El Amrani",
        birth_date=date(1980, 1, 10),
        reason="Spelling as on the identity card",
    )

    person.refresh_from_db()
    assert person.family_name == "El Amrani"
    assert person.birth_date == date(1980, 1, 10)
    assert person.version == 2
    assert person.updated_by == bob
    [revision] = person.revisions.all()
    assert revision.version == 1
    assert revision.values["family_name"] == "Elamrani"
    assert revision.values["birth_date"] == "1980-01-01"
    assert revision.changed_fields == ["family_name", "birth_date"]
    assert revision.changed_by == bob
    assert revision.reason == "Spelling as on the identity card"
    row = audit_rows(person)[-1]
    assert row.action == "person.updated"
    assert row.actor == bob
    assert row.detail == {"fields": ["family_name", "birth_date"], "version": 2}


def test_a_correction_updates_the_search_keys(alice):
    person = person_create(actor=alice, given_names="Jan", family_name="Peeters")

    person_update(actor=alice, person=person, expected_version=1, family_name="Vandenbroek")

    stored = Person.objects.get(pk=person.pk)
    assert stored.name_key == person.name_key == "vandenbroek"


def test_every_correction_is_kept(alice, bob):
    person = person_create(actor=alice, given_names="Jan", family_name="Peeters")
    person_update(actor=alice, person=person, expected_version=1, given_names="Johan")
    person_update(actor=bob, person=person, expected_version=2, given_names="Johannes")

    assert [(r.version, r.values["given_names"]) for r in person.revisions.all()] == [
        (2, "Johan"),
        (1, "Jan"),
    ]
    assert Person.objects.get(pk=person.pk).version == 3


def test_a_stale_version_is_refused_and_nothing_changes(alice, bob):
    person = person_create(actor=alice, given_names="Ilse", family_name="Goossens")
    alices_copy = Person.objects.get(pk=person.pk)
    bobs_copy = Person.objects.get(pk=person.pk)
    person_update(actor=alice, person=alices_copy, expected_version=1, given_names="Ilze")
    audit_count = AuditEvent.objects.count()

    with pytest.raises(ConflictError) as error:
        person_update(actor=bob, person=bobs_copy, expected_version=1, given_names="Els")

    stored = Person.objects.get(pk=person.pk)
    assert (stored.given_names, stored.version, stored.updated_by) == ("Ilze", 2, alice)
    assert PersonRevision.objects.filter(person=person).count() == 1  # Alice's, kept
    assert AuditEvent.objects.count() == audit_count
    assert error.value.changed_by == alice
    assert error.value.current_version == 2
    with translation.override("en"):
        assert str(error.value).startswith("This record was changed by Alice Aerts at ")
        assert "try again" in str(error.value)


def test_the_conditional_update_stops_a_save_that_raced_past_the_check(alice, bob, monkeypatch):
    """Bob's save read version 1; Alice saved version 2 before Bob's UPDATE ran."""
    person = person_create(actor=alice, given_names="Ilse", family_name="Goossens")
    snapshot_at_version_1 = Person.objects.select_related("updated_by").get(pk=person.pk)
    person_update(
        actor=alice, person=Person.objects.get(pk=person.pk), expected_version=1, given_names="Ilze"
    )
    reads = iter([snapshot_at_version_1])
    real_read = services._read_stored_person
    monkeypatch.setattr(
        services, "_read_stored_person", lambda pk: next(reads, None) or real_read(pk)
    )

    with pytest.raises(ConflictError):
        person_update(actor=bob, person=person, expected_version=1, given_names="Els")

    stored = Person.objects.get(pk=person.pk)
    assert (stored.given_names, stored.version) == ("Ilze", 2)
    assert PersonRevision.objects.filter(person=person).count() == 1


def test_saving_without_changes_writes_nothing(alice):
    person = person_create(actor=alice, given_names="Jan", family_name="Peeters")

    person_update(actor=alice, person=person, expected_version=1, given_names=" Jan ")

    assert Person.objects.get(pk=person.pk).version == 1
    assert not PersonRevision.objects.exists()


def test_only_person_details_can_be_changed(alice):
    person = person_create(actor=alice, given_names="Jan", family_name="Peeters")

    with pytest.raises(TypeError):
        person_update(actor=alice, person=person, expected_version=1, version=7)


def test_a_correction_cannot_take_another_persons_national_number(alice):
    person_create(actor=alice, given_names="Jan", family_name="Peeters", national_number=BSN)
    other = person_create(actor=alice, given_names="Els", family_name="Maes")

    with pytest.raises(ValidationError) as error:
        person_update(actor=alice, person=other, expected_version=1, national_number=BSN)

    assert "national_number" in error.value.message_dict
    assert Person.objects.get(pk=other.pk).version == 1


# --- relation_add -------------------------------------------------------------------------


def test_a_parent_relation_has_a_direction(alice):
    mother, child = PersonFactory(), PersonFactory()

    relation = relation_add(actor=alice, person_a=mother, person_b=child, kind=Relation.Kind.PARENT)

    assert (relation.person_a, relation.person_b) == (mother, child)
    with translation.override("en"):
        assert relation.kind_seen_from(mother) == "parent"
        assert relation.kind_seen_from(child) == "child"
    [row] = audit_rows(relation)
    assert row.action == "relation.added"
    assert row.detail == {"persons": [mother.pk, child.pk]}


def test_a_mutual_relation_is_stored_once(alice):
    first, second = PersonFactory(), PersonFactory()

    relation = relation_add(
        actor=alice, person_a=second, person_b=first, kind=Relation.Kind.PARTNER
    )

    assert (relation.person_a, relation.person_b) == (first, second)
    with pytest.raises(ValidationError):
        relation_add(actor=alice, person_a=first, person_b=second, kind=Relation.Kind.PARTNER)
    assert Relation.objects.count() == 1


def test_relations_that_cannot_be(alice):
    mother, child = PersonFactory(), PersonFactory()
    relation_add(actor=alice, person_a=mother, person_b=child, kind=Relation.Kind.PARENT)

    with pytest.raises(ValidationError):
        relation_add(actor=alice, person_a=mother, person_b=mother, kind=Relation.Kind.SIBLING)
    with pytest.raises(ValidationError):
        relation_add(actor=alice, person_a=child, person_b=mother, kind=Relation.Kind.PARENT)
    with pytest.raises(ValidationError):
        relation_add(actor=alice, person_a=mother, person_b=child, kind=Relation.Kind.PARENT)
    with pytest.raises(ValidationError):
        relation_add(actor=alice, person_a=mother, person_b=child, kind="enemy")
    assert Relation.objects.count() == 1


# --- contact details ----------------------------------------------------------------------


def test_a_confidential_address_is_recorded_for_the_organisation(alice):
    person = PersonFactory()

    detail = contact_detail_add(
        actor=alice,
        person=person,
        kind=ContactDetail.Kind.ADDRESS,
        value="  Lindelaan 1 \n\n 9000 Testdal ",
        is_confidential=True,
    )

    detail.refresh_from_db()
    assert detail.value == "Lindelaan 1\n9000 Testdal"
    assert detail.is_confidential
    assert detail.recorded_by == alice
    assert detail.recorded_by_organisation == alice.organisation
    assert detail.valid_from == timezone.localdate()
    assert detail.is_current_on()
    [row] = audit_rows(detail)
    assert row.action == "contact_detail.added"
    assert row.detail == {"person": person.pk}
    assert "Lindelaan" not in str(row.__dict__) and "Lindelaan" not in str(detail)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (ContactDetail.Kind.EMAIL, "not an address"),
        (ContactDetail.Kind.PHONE, "call me maybe"),
        (ContactDetail.Kind.PHONE, "12"),
        (ContactDetail.Kind.ADDRESS, "   "),
    ],
)
def test_contact_details_are_checked(alice, kind, value):
    with pytest.raises(ValidationError):
        contact_detail_add(actor=alice, person=PersonFactory(), kind=kind, value=value)
    assert not ContactDetail.objects.exists()


def test_valid_contact_details(alice):
    person = PersonFactory()
    contact_detail_add(actor=alice, person=person, kind="phone", value="+32 (0)470 12.34.56")
    contact_detail_add(actor=alice, person=person, kind="email", value="els@example.org")
    assert person.contact_details.count() == 2


def test_a_contact_detail_is_ended_not_deleted(alice):
    detail = ContactDetailFactory(valid_from=date(2024, 1, 1))
    today = timezone.localdate()

    contact_detail_end(actor=alice, contact_detail=detail)

    detail.refresh_from_db()
    assert detail.valid_until == today
    assert not detail.is_current_on(today + timedelta(days=1))
    assert ContactDetail.objects.filter(pk=detail.pk).exists()
    assert audit_rows(detail)[-1].action == "contact_detail.ended"
    with pytest.raises(ValidationError):
        contact_detail_end(actor=alice, contact_detail=detail)


def test_an_end_before_the_start_is_refused(alice):
    detail = ContactDetailFactory(valid_from=date(2024, 6, 1))

    with pytest.raises(ValidationError):
        contact_detail_end(actor=alice, contact_detail=detail, valid_until=date(2024, 5, 31))

    detail.refresh_from_db()
    assert detail.valid_until is None
