from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

REGION_LOCALE_SESSION_KEY = "ketenplan.region_locale"


def region_locale_of(user) -> str:
    """The region words of ``user``'s organisation ("nl-be", "nl-nl", "en-gb"; "" for none)."""
    from ketenplan.accounts.models import Organisation

    if not getattr(user, "organisation_id", None):
        return ""
    return (
        Organisation.objects.filter(pk=user.organisation_id)
        .values_list("region__locale", flat=True)
        .first()
        or ""
    )


def remember_region_locale(session, user) -> None:
    """Keep the region words in the session: done at sign-in (``accounts.receivers``),
    so that no page pays for them, and the first of several pages opened at once does
    not race the others to store them. Nothing for a professional without an
    organisation (``region_locale`` asks again once they have one)."""
    if getattr(user, "organisation_id", None):
        session[REGION_LOCALE_SESSION_KEY] = region_locale_of(user)


def region_locale(request) -> str:
    """The signed-in professional's region words, from the session (read once per
    session where the sign-in did not store them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "organisation_id", None):
        return ""
    cached = request.session.get(REGION_LOCALE_SESSION_KEY)
    if cached is None:
        remember_region_locale(request.session, user)
        cached = request.session[REGION_LOCALE_SESSION_KEY]
    return cached


class LanguageMiddleware(LocaleMiddleware):
    """Dutch unless the professional chose otherwise with the language switch.

    The browser's Accept-Language is deliberately ignored: on shared devices in Flemish
    and Dutch offices it is often English, and the team works in Dutch. Within Dutch,
    the words follow the region (METHOD.md glossary): the base Dutch catalogue has the
    words of the Netherlands ("Openbaar Ministerie", "Veilig Thuis"); a Flemish region
    gets nl-BE, whose catalogue overrides them ("Parket", "Vertrouwenscentrum
    Kindermishandeling"). Python maps a bare "nl" to nl_NL, so the variant must be nl_BE.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        if language == "nl" and region_locale(request) == "nl-be":
            language = "nl-be"
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
