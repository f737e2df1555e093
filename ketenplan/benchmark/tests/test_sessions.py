"""``bench_sessions``: every case a persona's requests open has a shape (its stage, and
"directs" where the persona directs it), the key by which the load run compares queries
across scales."""

import json

import pytest
from django.core.management import call_command

from ketenplan.benchmark.generator import Generator, tiny_scale
from ketenplan.cases.models import Case

pytestmark = pytest.mark.django_db


def test_every_case_a_persona_opens_or_writes_to_has_its_shape(tmp_path):
    Generator(tiny_scale(40), seed=7).run()
    out = tmp_path / "sessions.json"
    call_command("bench_sessions", str(out), cases=5)  # execution cases beyond the sample
    personas = json.loads(out.read_text())["personas"]
    assert {p["name"] for p in personas} == {"coordinator", "case_director", "police", "partner"}
    for persona in personas:
        opened = {*persona["cases"], *(case for case, _person in persona["execution_cases"])}
        assert opened and set(map(int, persona["case_shapes"])) == opened, persona["name"]
        for pk, shape in persona["case_shapes"].items():
            case = Case.objects.get(pk=pk)
            directs = case.case_director_id == persona["user_id"]
            assert shape == (f"{case.stage} · directs" if directs else case.stage)
    director = next(p for p in personas if p["name"] == "case_director")
    assert any(shape.endswith("· directs") for shape in director["case_shapes"].values())
