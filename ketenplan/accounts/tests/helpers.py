"""Steps of the sign-in flow, as a browser takes them, for tests of several apps."""

from ketenplan.accounts.tests.factories import PASSWORD

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
TOTP_SETUP = "/accounts/2fa/totp/activate/"
REAUTHENTICATE = "/accounts/reauthenticate/"


def post_password(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def open_totp_setup(client, password=PASSWORD):
    """Open the authenticator set-up; allauth first asks for the password again."""
    response = client.get(TOTP_SETUP)
    if response.status_code == 302 and response["Location"].startswith(REAUTHENTICATE):
        response = client.post(response["Location"], {"password": password})
        assert response.status_code == 302
        assert response["Location"] == TOTP_SETUP
        response = client.get(TOTP_SETUP)
    assert response.status_code == 200
    return response
