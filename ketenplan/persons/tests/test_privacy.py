"""Privacy tools: who has seen this person, and the access-request export (issue 4, §6)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.dossier.models import Contribution
from ketenplan.methods.models import LifeDomain
from ketenplan.persons.privacy import REDACTED

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = make_world()
    w.case = case_at(w, Stage.DOSSIER)
    members = {m.person.given_names: m.person for m in w.case.members.select_related("person")}
    w.sara, w.kevin = members["Sara"], members["Kevin"]
    w.contribution = Contribution.objects.create(
        case=w.case, about_person=w.sara, life_domain=LifeDomain.objects.first(),
        organisation=w.police, author=w.referrer, occurred_on=timezone.localdate(),
        text="Sara says Kevin Peeters threatened her; Kevin denies it.", source="Report",
    )
    w.dpo = ProfessionalFactory(organisation=w.coordination, roles=[Role.DATA_PROTECTION_OFFICER], mfa=True)
    return w


def test_the_export_holds_the_person_and_redacts_third_parties(client, w):
    client.force_login(w.dpo)
    response = client.get(reverse("persons:access_export", kwargs={"pk": w.sara.pk}) + "?format=json")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["person"]["given_names"] == "Sara"
    assert [c["reference"] for c in data["cases"]] == [w.case.reference]
    (contribution,) = data["contributions"]
    assert "Kevin" not in contribution["text"] and "Peeters" not in contribution["text"]
    assert REDACTED in contribution["text"] and "Sara" in contribution["text"]
    assert "Kevin" not in response.content.decode()
    assert {"where": f"contribution {w.contribution.pk}", "reason": data["redactions"][-1]["reason"],
            "count": 2} in data["redactions"]
    html = client.get(reverse("persons:access_export", kwargs={"pk": w.sara.pk}))
    assert html.status_code == 200
    assert "Kevin" not in html.content.decode() and "Redactions" in html.content.decode()
    exports = AuditEvent.objects.filter(action="privacy.access_export", object_id=str(w.sara.pk))
    assert exports.count() == 2
    assert {e.purpose for e in exports} == {AuditEvent.Purpose.PRIVACY}


def test_who_has_seen_lists_reads_of_the_person_and_their_cases(client, w):
    client.force_login(w.referrer)
    client.get(reverse("cases:detail", kwargs={"pk": w.case.pk}))
    client.force_login(w.coordinator)
    response = client.get(reverse("persons:who_has_seen", kwargs={"pk": w.sara.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "case.viewed" in page and w.referrer.email in page
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    later = client.get(reverse("persons:who_has_seen", kwargs={"pk": w.sara.pk}) + f"?since={tomorrow}")
    assert "case.viewed" not in later.content.decode()


@pytest.mark.parametrize("who", ["referrer", "team_member", "outsider", "analyst"])
def test_only_coordinators_and_the_dpo_use_the_privacy_tools(client, w, who):
    client.force_login(getattr(w, who))
    for name in ("persons:who_has_seen", "persons:access_export"):
        assert client.get(reverse(name, kwargs={"pk": w.sara.pk})).status_code in (403, 404)


def test_a_dpo_of_another_region_gets_not_found(client, w):
    other = make_world()
    dpo = ProfessionalFactory(organisation=other.coordination, roles=[Role.DATA_PROTECTION_OFFICER], mfa=True)
    client.force_login(dpo)
    assert client.get(reverse("persons:access_export", kwargs={"pk": w.sara.pk})).status_code == 404
