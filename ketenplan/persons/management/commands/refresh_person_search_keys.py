"""Recompute every person's search keys, after names.yaml or the matching rules changed."""

from django.core.management.base import BaseCommand
from django.db import transaction

from ketenplan.persons.models import PERSON_SEARCH_KEY_FIELDS, Person

BATCH_SIZE = 1000


class Command(BaseCommand):
    help = "Recompute the name and phonetic keys used to find possible duplicate persons."

    def handle(self, *args, **options):
        changed = 0
        batch: list[Person] = []
        persons = Person.objects.only(
            "pk", "given_names", "name_prefix", "family_name", *PERSON_SEARCH_KEY_FIELDS
        ).order_by("pk")
        for person in persons.iterator(chunk_size=BATCH_SIZE):
            before = [getattr(person, name) for name in PERSON_SEARCH_KEY_FIELDS]
            person.refresh_search_keys()
            if before != [getattr(person, name) for name in PERSON_SEARCH_KEY_FIELDS]:
                batch.append(person)
            if len(batch) >= BATCH_SIZE:
                changed += self._write(batch)
                batch = []
        changed += self._write(batch)
        self.stdout.write(f"Search keys refreshed: {changed} person(s) changed.")

    @staticmethod
    def _write(batch: list[Person]) -> int:
        # Derived keys only: no person data changes, so no version bump and no audit row.
        with transaction.atomic():
            Person.objects.bulk_update(batch, PERSON_SEARCH_KEY_FIELDS)
        return len(batch)
