"""Dutch is the default language: every user-facing string has a Dutch translation, the
compiled catalogues match their sources, and a Dutch region gets the Dutch region words."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), text)


def po_entries(path: Path) -> dict[tuple[str, str], list[str]]:
    """{(msgctxt, msgid): [msgstr, ...]} of a .po file (obsolete entries left out)."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        if not lines:
            continue
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            strs = [unescape(v) for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            entries[(unescape(fields.get("msgctxt", "")), unescape(fields["msgid"]))] = strs
    return entries


def test_every_string_has_a_dutch_translation():
    entries = po_entries(LOCALE / "nl" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 1000
    missing = [msgid for (ctx, msgid), strs in entries.items() if not all(strs)]
    assert missing == [], f"{len(missing)} strings lack a Dutch translation, e.g. {missing[:5]}"


def test_the_catalogue_is_up_to_date_with_the_code(tmp_path, monkeypatch):
    """Run `manage.py makemessages` on a mirror of the project and compare: a new string in
    the code that is not in the catalogue fails here (so it cannot ship untranslated)."""
    import shutil

    from django.core.management import call_command

    base = Path(settings.BASE_DIR)
    for folder in ("ketenplan", "templates", "config"):
        (tmp_path / folder).symlink_to(base / folder)
    shutil.copytree(LOCALE, tmp_path / "locale")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [tmp_path / "locale"])
    with translation.override(None):
        call_command(
            "makemessages",
            locale=["nl"],
            verbosity=0,
            symlinks=True,
            no_obsolete=True,
            ignore_patterns=["*/tests/*", "*/browser_tests/*", "*/__pycache__/*"],
        )
    fresh = po_entries(tmp_path / "locale" / "nl" / "LC_MESSAGES" / "django.po")
    shipped = po_entries(LOCALE / "nl" / "LC_MESSAGES" / "django.po")
    assert len(fresh) > 1000  # the mirror was really scanned
    new = sorted(key[1] for key in fresh if key not in shipped)
    assert new == [], f"strings missing from locale/nl: {new[:5]}: run makemessages and translate"


@pytest.mark.parametrize("locale", ["nl", "nl_BE"])
def test_compiled_catalogues_match_their_sources(locale):
    folder = LOCALE / locale / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for (ctx, msgid), strs in po_entries(folder / "django.po").items():
        if len(strs) == 1:
            key = f"{ctx}\x04{msgid}" if ctx else msgid
            got = compiled._catalog.get(key)
            assert got == strs[0], (
                f"locale/{locale}: {msgid!r} is not compiled; run `manage.py compilemessages`"
            )


def test_the_region_chooses_the_words_of_flanders_or_the_netherlands():
    with translation.override("nl"):
        assert translation.gettext("Prosecutor's office") == "Openbaar Ministerie"
        assert translation.gettext("Child-abuse confidential centre") == "Veilig Thuis"
        signed_out = translation.gettext("Sign out")
    assert signed_out != "Sign out"
    with translation.override("nl-be"):
        assert translation.gettext("Prosecutor's office") == "Parket"
        assert (
            translation.gettext("Child-abuse confidential centre") == "Vertrouwenscentrum Kindermishandeling"
        )
        # Everything else falls back to the base Dutch catalogue.
        assert translation.gettext("Sign out") == signed_out


@pytest.mark.django_db
def test_professionals_see_the_words_of_their_region(client, sign_in, settings):
    settings.LANGUAGE_CODE = "nl"  # the shipped default
    from ketenplan.accounts.models import Region, Role
    from ketenplan.accounts.tests.factories import OrganisationFactory

    region = Region.objects.create(name="Regio Demo-Noord", locale=Region.Locale.NETHERLANDS)
    OrganisationFactory(region=region, name="OM Noord", type="prosecutor", agreement_signed_on="2024-01-01")
    own = OrganisationFactory(region=region, name="Veilig Thuis Noord", type="child_abuse_centre")
    sign_in(Role.COORDINATOR, organisation=own)
    html = client.get("/people/organisations/").content.decode()
    assert "Openbaar Ministerie" in html and 'lang="nl"' in html
    client.cookies["django_language"] = "en"
    assert "Child-abuse confidential centre" in client.get("/people/organisations/").content.decode()
    flemish = OrganisationFactory(name="Parket Demo", type="prosecutor")  # a Flemish region
    client.cookies.pop("django_language")
    sign_in(Role.COORDINATOR, organisation=flemish)
    html = client.get("/people/organisations/").content.decode()
    assert "Parket" in html and 'lang="nl-BE"' in html


@pytest.mark.django_db
def test_the_region_words_are_kept_at_sign_in_so_no_page_asks_for_them(client, sign_in, settings):
    """Stored in the session when the professional signs in: the first page costs no
    query for them either, and pages opened at once do not each look them up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ketenplan.accounts.models import Role
    from ketenplan.accounts.tests.factories import OrganisationFactory
    from ketenplan.core.middleware import REGION_LOCALE_SESSION_KEY

    settings.LANGUAGE_CODE = "nl"
    sign_in(Role.COORDINATOR, organisation=OrganisationFactory(name="Parket Demo", type="prosecutor"))
    assert client.session[REGION_LOCALE_SESSION_KEY] == "nl-be"
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/people/organisations/").content.decode()
    assert 'lang="nl-BE"' in html
    assert not [q for q in queries if "region__locale" in q["sql"]]

    # A session from before this (no words stored) reads them once and keeps them.
    session = client.session
    del session[REGION_LOCALE_SESSION_KEY]
    session.save()
    with CaptureQueriesContext(connection) as queries:
        assert 'lang="nl-BE"' in client.get("/people/organisations/").content.decode()
    assert len([q for q in queries if "region__locale" in q["sql"]]) == 1
    assert client.session[REGION_LOCALE_SESSION_KEY] == "nl-be"
