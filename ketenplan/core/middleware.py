from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

REGION_LOCALE_SESSION_KEY = "ketenplan.region_locale"


def region_locale(request) -> str:
    """The signed-in professional's region words ("nl-be", "nl-nl", "en-gb"), read once
    per session so that pages cost no extra query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "organisation_id", None):
        return ""
    cached = request.session.get(REGION_LOCALE_SESSION_KEY)
    if cached is None:
        from ketenplan.accounts.models import Organisation

        cached = (
            Organisation.objects.filter(pk=user.organisation_id)
            .values_list("region__locale", flat=True)
            .first()
            or ""
        )
        request.session[REGION_LOCALE_SESSION_KEY] = cached
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
