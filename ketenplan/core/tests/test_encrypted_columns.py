"""Free text about persons is ciphertext in the database (issue 4, §7)."""

from __future__ import annotations

import pytest
from django.db import connection

from ketenplan.cases.models import Case
from ketenplan.core import crypto
from ketenplan.dossier.models import Contribution
from ketenplan.persons.models import ContactDetail
from ketenplan.plans.models import Contact

pytestmark = pytest.mark.django_db

COLUMNS = [
    (ContactDetail, "value"),
    (Contribution, "text"),
    (Case, "reason"),
    (Contact, "summary"),
]


def raw(model, field: str, pk: int) -> str:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn(field)} FROM {qn(model._meta.db_table)} WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize(("model", "field"), COLUMNS, ids=lambda v: getattr(v, "__name__", v))
def test_the_column_is_encrypted(model, field):
    from ketenplan.core.fields import EncryptedTextField

    assert isinstance(model._meta.get_field(field), EncryptedTextField)


def test_the_raw_values_are_ciphertext_and_read_back_plain():
    from datetime import timedelta

    from django.utils import timezone

    from ketenplan.cases.models import Stage
    from ketenplan.cases.tests.factories import case_at, make_world
    from ketenplan.methods.models import LifeDomain
    from ketenplan.persons import services as person_services
    from ketenplan.plans import services as plan_services

    w = make_world()
    case = case_at(w, Stage.EXECUTION)
    sara = case.members.select_related("person").get(person__given_names="Sara").person
    detail = person_services.contact_detail_add(
        actor=w.referrer,
        person=sara,
        kind=ContactDetail.Kind.ADDRESS,
        value="Safe House Lane 1",
        is_confidential=True,
    )
    contribution = Contribution.objects.create(
        case=case,
        about_person=sara,
        life_domain=LifeDomain.objects.first(),
        organisation=w.police,
        author=w.referrer,
        text="Sara told us about the threats.",
        occurred_on=timezone.localdate(),
        source="Conversation",
    )
    contact = plan_services.contact_log(
        actor=w.case_director,
        case=case,
        kind=Contact.Kind.HOME_VISIT,
        at=timezone.now() - timedelta(hours=1),
        with_persons=[sara],
        summary="Visited Sara at home.",
    )
    for obj, field, plain in [
        (detail, "value", "Safe House Lane 1"),
        (contribution, "text", "Sara told us about the threats."),
        (case, "reason", case.reason),
        (contact, "summary", "Visited Sara at home."),
    ]:
        stored = raw(type(obj), field, obj.pk)
        assert crypto.is_encrypted(stored), (type(obj).__name__, stored)
        assert plain not in stored and "Sara" not in stored
        fresh = type(obj).objects.get(pk=obj.pk)
        assert getattr(fresh, field) == plain


def test_the_migration_encrypts_existing_plain_rows():
    """The data migration's operation, run on plain rows, leaves ciphertext (and is idempotent)."""
    from ketenplan.cases.tests.factories import make_world, register
    from ketenplan.core.migration_ops import encrypt_column

    w = make_world()
    case = register(w)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(Case._meta.db_table)} SET {qn('reason')} = %s WHERE id = %s",
            ["Plain old reason", case.pk],
        )
    operation = encrypt_column("cases", "case", "reason")
    from types import SimpleNamespace

    from django.apps import apps

    editor = SimpleNamespace(connection=connection)  # all the operation uses of it
    operation.code(apps, editor)
    once = raw(Case, "reason", case.pk)
    operation.code(apps, editor)
    assert crypto.is_encrypted(once)
    assert raw(Case, "reason", case.pk) == once
    assert Case.objects.get(pk=case.pk).reason == "Plain old reason"
    operation.reverse_code(apps, editor)
    assert raw(Case, "reason", case.pk) == "Plain old reason"
