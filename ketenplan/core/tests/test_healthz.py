"""/healthz tells a load balancer whether this process can serve: 200 or 503."""

from unittest import mock

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    # And it recovers when the database is back.
    assert client.get("/healthz").status_code == 200


def test_healthz_needs_no_sign_in_and_no_second_factor(client, sign_in):
    assert client.get("/healthz").status_code == 200
    sign_in(mfa=False)  # a partner who has not set up MFA yet
    assert client.get("/healthz").status_code == 200
