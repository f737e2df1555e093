"""The menu and the home page: what each professional can reach, decided by the policy.

Each entry names the access rule that must allow it, so a role sees exactly the pages it
may open and nothing that does not exist yet.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from . import policy


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str
    description: str
    action: str
    in_menu: bool = True


ENTRIES: list[Entry] = [
    Entry(
        "cases:list",
        _("Cases"),
        _("The families your organisation works with, from registration to closure."),
        "case.list",
    ),
    Entry(
        "cases:register",
        _("Register a family"),
        _("Register a family for the chain approach, after contact with a partner."),
        "case.register",
    ),
    Entry(
        "dossier:inbox",
        _("Information requests"),
        _("Questions other partners asked your organisation, with their due dates."),
        "dossier.view_inbox",
    ),
    Entry(
        "reporting:guides",
        _("Reporting code"),
        _("Walk through the five steps of the reporting code and record what you decided."),
        "reporting.use",
    ),
    Entry(
        "consent:emergency",
        _("Emergency access"),
        _("Open a case you do not take part in, when a person is in acute danger. Every use is reviewed."),
        "consent.emergency_open",
        in_menu=False,
    ),
    Entry(
        "consent:emergency_review_list",
        _("Review emergency access"),
        _("Emergency access used in the cases of your coordination point, to review."),
        "consent.emergency_review_list",
        in_menu=False,
    ),
    Entry(
        "coordinator_board",
        _("Board"),
        _("All open cases of the coordination point by stage, with their milestones."),
        "overview.board",
    ),
    Entry(
        "accounts:directory",
        _("Professionals"),
        _("The professionals of the partner organisations in your region, and their roles."),
        "accounts.view_directory",
        in_menu=False,
    ),
    Entry(
        "accounts:organisations",
        _("Organisations"),
        _("Core and network partners in your region, and whether their cooperation agreement is signed."),
        "accounts.view_directory",
        in_menu=False,
    ),
    Entry(
        "accounts:invite",
        _("Invite a professional"),
        _("Invite a colleague of a partner organisation by e-mail and choose their roles."),
        "accounts.invite",
        in_menu=False,
    ),
    Entry(
        "admin:index",
        _("Administration"),
        _("Reference data: regions, organisations, professionals and roles."),
        "accounts.administer",
    ),
    Entry(
        "api:tokens",
        _("API tokens"),
        _("Personal tokens with which partner systems use the Ketenplan API on your behalf."),
        "api.manage_tokens",
        in_menu=False,
    ),
    Entry(
        "mfa_index",
        _("Sign-in security"),
        _("Your authenticator app and recovery codes."),
        "signed_in",
        in_menu=False,
    ),
    Entry(
        "meetings:list",
        _("Meetings"),
        _(
            "Operational team meetings with their agenda, preparation packets and minutes; "
            "crisis consultations."
        ),
        "meetings.use",
    ),
    Entry(
        "meetings:consultations",
        _("Consultation hours"),
        _("Ask advice by video at the consultation hours, or a specialist by phone."),
        "consultations.book",
        in_menu=False,
    ),
    Entry(
        "meetings:escalations",
        _("Escalations"),
        _("Blocked actions and partners that do not cooperate, escalated to the steering group."),
        "meetings.view_escalations",
        in_menu=False,
    ),
    Entry(
        "meetings:calendar",
        _("Calendar link"),
        _("A private link for your calendar program with your meetings and sign-ups."),
        "calendar.feed",
        in_menu=False,
    ),
]


@lru_cache(maxsize=256)
def _url(url_name: str, prefix: str, urlconf: str) -> str:
    return reverse(url_name, urlconf=urlconf)


def url_for(url_name: str) -> str:
    """``reverse(url_name)`` of an URL without arguments, once per process (per script
    prefix and URLconf): the menu would otherwise reverse every entry on every page."""
    return _url(url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def entries_for(user) -> list[dict]:
    """The entries ``user`` may open, decided by the policy. Kept on the user object (one
    per request) for its roles and organisation: the menu and the home page both ask."""
    if not getattr(user, "is_authenticated", False):
        return []
    key = (user.roles, user.organisation_id)
    cached = getattr(user, "_navigation_cache", None)
    if cached is None or cached[0] != key:
        entries = [
            {"url": url_for(e.url_name), "label": e.label, "description": e.description, "in_menu": e.in_menu}
            for e in ENTRIES
            if policy.can(user, e.action)
        ]
        cached = (key, entries)
        user._navigation_cache = cached
    return list(cached[1])
