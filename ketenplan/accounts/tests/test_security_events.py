"""Every sign-in, sign-out, failed sign-in and change of the second factor is recorded."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import Client

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import PASSWORD, ProfessionalFactory, totp_code
from ketenplan.accounts.tests.helpers import (
    LOGOUT,
    MFA_AUTHENTICATE,
    REAUTHENTICATE,
    open_totp_setup,
    post_password,
    signed_in_user_id,
)
from ketenplan.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_totp_period")]


def actions(**filters) -> list[str]:
    return list(
        AuditEvent.objects.filter(**filters).order_by("id").values_list("action", flat=True)
    )


def sign_in_fully(client, user):
    post_password(client, user.email)
    response = client.post(MFA_AUTHENTICATE, {"code": totp_code()})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_sign_in_and_sign_out_are_recorded(client):
    user = ProfessionalFactory(roles=[Role.COORDINATOR], mfa=True)

    post_password(client, user.email)
    # The password alone is no sign-in.
    assert actions(action__startswith="auth.") == []
    client.post(MFA_AUTHENTICATE, {"code": totp_code()})
    client.post(LOGOUT)

    assert actions(actor=user) == ["auth.signed_in", "auth.signed_out"]
    signed_in = AuditEvent.objects.get(action="auth.signed_in")
    assert signed_in.purpose == AuditEvent.Purpose.SECURITY
    assert signed_in.actor_label == user.email
    assert signed_in.organisation_id == user.organisation_id
    assert signed_in.roles == Role.COORDINATOR
    assert signed_in.ip == "127.0.0.1"
    assert signed_in.content_hash == signed_in.compute_content_hash()


@pytest.mark.parametrize("exists", [True, False])
def test_a_failed_sign_in_is_recorded_without_the_password(client, exists):
    email = "tried.address@partner.example"
    if exists:
        ProfessionalFactory(email=email, mfa=True)

    post_password(client, email, "Guessed-password-1")

    event = AuditEvent.objects.get()
    assert event.action == "auth.sign_in_failed"
    assert event.actor is None
    assert event.actor_label == email
    assert "Guessed-password-1" not in str(event.detail)


def test_a_wrong_second_factor_code_is_recorded(client):
    user = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    post_password(client, user.email)
    right = totp_code()

    client.post(MFA_AUTHENTICATE, {"code": f"{(int(right) + 1) % 1_000_000:06d}"})

    assert actions(actor=user) == ["mfa.code_failed"]


def test_setting_up_changing_and_removing_the_second_factor_is_recorded(
    client, django_capture_on_commit_callbacks
):
    user = ProfessionalFactory(roles=[Role.PARTNER], mfa=False)
    post_password(client, user.email)
    open_totp_setup(client)
    secret = client.session[SECRET_SESSION_KEY]

    # allauth sends its MFA signals once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    added = AuditEvent.objects.filter(actor=user, action="mfa.added")
    assert sorted(added.values_list("detail__type", flat=True)) == ["recovery_codes", "totp"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/recovery-codes/generate/")
    assert response.status_code == 302
    assert actions(actor=user, action="mfa.recovery_codes_reset") == ["mfa.recovery_codes_reset"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/deactivate/")
    if response.status_code == 302 and response["Location"].startswith(REAUTHENTICATE):
        client.post(response["Location"], {"password": PASSWORD})
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert "mfa.removed" in actions(actor=user)
    # And without a second factor the pages close again.
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"


def test_the_audit_trail_cannot_be_edited_or_deleted(client):
    user = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    sign_in_fully(Client(), user)
    event = AuditEvent.objects.get(action="auth.signed_in")

    event.action = "auth.nothing_happened"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.signed_in"


def test_sign_ins_refused_by_the_lockout_are_recorded_too(client):
    user = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    for _attempt in range(5):
        post_password(client, user.email, "Wrong-password-123")
    assert AuditEvent.objects.filter(action="auth.sign_in_failed").count() == 5

    post_password(client, user.email, PASSWORD)  # the right password, but locked
    post_password(client, user.email, "Wrong-password-123")

    refused = AuditEvent.objects.filter(action="auth.sign_in_failed").order_by("id")[5:]
    assert [e.detail.get("reason") for e in refused] == ["locked", "locked"]
    assert {e.actor_label for e in refused} == {user.email}
    assert not AuditEvent.objects.filter(action="auth.signed_in").exists()
