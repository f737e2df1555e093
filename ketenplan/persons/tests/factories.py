"""Factories for persons, relations and contact details.

They write straight to the models (test data, no audit rows); tests of the use cases
call the services.
"""

from datetime import date, timedelta

import factory

from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.persons.models import ContactDetail, Person, Relation


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_names = factory.Faker("first_name", locale="nl_BE")
    family_name = factory.Faker("last_name", locale="nl_BE")
    # Spread over 1950-2020, the same for every run.
    birth_date = factory.Sequence(lambda n: date(1950, 1, 1) + timedelta(days=(n * 173) % 25500))
    created_by = factory.SubFactory(ProfessionalFactory)
    updated_by = factory.SelfAttribute("created_by")


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    person_a = factory.SubFactory(PersonFactory)
    person_b = factory.SubFactory(PersonFactory)
    kind = Relation.Kind.PARENT
    created_by = factory.SelfAttribute("person_a.created_by")


class ContactDetailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactDetail

    person = factory.SubFactory(PersonFactory)
    kind = ContactDetail.Kind.PHONE
    value = factory.Sequence(lambda n: f"+32 470 {n:06d}")
    recorded_by = factory.SelfAttribute("person.created_by")
    recorded_by_organisation = factory.SelfAttribute("recorded_by.organisation")
