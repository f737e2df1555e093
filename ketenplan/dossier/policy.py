"""Who may see and do what in the dossier (registered into ``ketenplan.core.policy``).

First form of METHOD.md §4:

* An organisation that takes part in a case sees the contributions about the family as
  a whole, its own contributions, and contributions about a person whose consent (or a
  recorded legal basis) covers it (``consent.policy``). This is decided **in one place**:
  ``contribution_visible`` (one object) and ``visible_contributions`` (a queryset);
  attachments and lists of contributions are built on those two. What is withheld is
  counted, never shown.
* Only the organisation that contributed something may correct it; nothing is deleted.
* An information request is addressed to one organisation. That organisation sees the
  request — its question, whom it is about, the case's reference and family name, who
  asks — and may answer or decline it, **without** taking part in the case: it does not
  see the rest of the dossier (need to know). Only the asking organisation withdraws it.

Outsiders get "not found".
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from ketenplan.cases.models import Participation
from ketenplan.cases.policy import WORKS_ON_CASES, participates
from ketenplan.core.policy import rule, scope, scope_rule

from .models import Contribution, InformationRequest


def works_on_cases(user) -> bool:
    return user.organisation_id is not None and user.has_role(*WORKS_ON_CASES)


def participates_in(user, case_field: str = "case"):
    """Subquery condition: the row's case has an active participation of the user's
    organisation (``case_field`` names the row's case foreign key)."""
    return Exists(
        Participation.objects.filter(
            case=OuterRef(case_field), organisation_id=user.organisation_id, until__isnull=True
        )
    )


# --- Pages ------------------------------------------------------------------------------


@rule("dossier.use")
def can_use(user, obj) -> bool:
    """View-level gate of every dossier page; the object checks happen in selectors."""
    return works_on_cases(user)


@rule("dossier.view_inbox")
def can_view_inbox(user, obj) -> bool:
    """The "requests to my organisation" list: every professional who works on cases."""
    return works_on_cases(user)


@rule("dossier.view")
def can_view_dossier(user, case) -> bool:
    return participates(user, case)


# --- Contributions ----------------------------------------------------------------------


def _contribution_visibility(user) -> Q:
    """The contributions ``user`` may read, as a condition on ``Contribution``.

    Within a case the user's organisation takes part in, consent decides: information
    about a person reaches other organisations only when that person's consent or a
    legal basis covers them (``consent.policy``); the contributing organisation always
    sees its own.
    """
    from ketenplan.consent.policy import visible_contributions_q

    return Q(participates_in(user, "case")) & visible_contributions_q(user)


@scope_rule("dossier.view_contribution")
def visible_contributions(user, queryset):
    if not works_on_cases(user):
        return queryset.none()
    return queryset.filter(_contribution_visibility(user))


@rule("dossier.view_contribution")
def contribution_visible(user, contribution) -> bool:
    """The per-contribution rule; must agree with ``visible_contributions``."""
    from ketenplan.consent.policy import contribution_visible as consent_allows

    return (
        contribution is not None
        and participates(user, contribution.case)
        and consent_allows(user, contribution)
    )


@rule("dossier.contribute")
def can_contribute(user, case) -> bool:
    return participates(user, case) and not case.is_closed


@rule("dossier.correct_contribution")
def can_correct(user, contribution) -> bool:
    """Only the organisation that contributed it, on the current version, while the case
    is open."""
    return (
        contribution is not None
        and contribution.is_current
        and contribution.organisation_id == user.organisation_id
        and can_contribute(user, contribution.case)
    )


# --- Attachments ------------------------------------------------------------------------


@scope_rule("dossier.download_attachment")
def downloadable_attachments(user, queryset):
    """An attachment is readable by whoever may read its contribution."""
    if not works_on_cases(user):
        return queryset.none()
    readable = scope(user, "dossier.view_contribution", Contribution.objects.all())
    return queryset.filter(
        Q(contribution__in=readable.values("pk"))
        | (Q(contribution__isnull=True) & Q(participates_in(user, "case")))
    )


@rule("dossier.download_attachment")
def can_download(user, attachment) -> bool:
    if attachment is None:
        return False
    if attachment.contribution_id is not None:
        return contribution_visible(user, attachment.contribution)
    return participates(user, attachment.case)


# --- Information requests ---------------------------------------------------------------


def _is_addressee(user, request_obj) -> bool:
    return works_on_cases(user) and request_obj.to_organisation_id == user.organisation_id


def _is_requester(user, request_obj) -> bool:
    return (
        user.organisation_id is not None and request_obj.requested_by.organisation_id == user.organisation_id
    )


@scope_rule("dossier.view_request")
def visible_requests(user, queryset):
    """Requests of the cases the organisation takes part in, and requests to it."""
    if not works_on_cases(user):
        return queryset.none()
    return queryset.filter(Q(participates_in(user, "case")) | Q(to_organisation_id=user.organisation_id))


@rule("dossier.view_request")
def request_visible(user, request_obj) -> bool:
    return request_obj is not None and (
        _is_addressee(user, request_obj) or participates(user, request_obj.case)
    )


def answer_visibility_q(user) -> Q:
    """The information requests whose answer ``user`` may read, as a condition on
    ``InformationRequest`` (combine with the ``dossier.view_request`` scope).

    An answer about a person is information about that person, contributed by the
    addressed organisation: it reaches the case's organisations (the asking one too) only
    when the person's consent or a legal basis covers them (METHOD.md §4), exactly as a
    contribution does; the addressed organisation always reads its own answer, and an
    answer about the family as a whole follows the request.
    """
    from ketenplan.consent.policy import visible_about_q

    return visible_about_q(user, person_field="about_person", organisation_field="to_organisation")


@rule("dossier.read_answer")
def answer_visible(user, request_obj) -> bool:
    """The per-request rule; must agree with ``answer_visibility_q``."""
    from ketenplan.consent.policy import may_see_about

    return (
        request_obj is not None
        and request_visible(user, request_obj)
        and may_see_about(
            user,
            case=request_obj.case_id,
            person=request_obj.about_person_id,
            contributed_by=request_obj.to_organisation_id,
        )
    )


@rule("dossier.request_information")
def can_request_information(user, case) -> bool:
    return can_contribute(user, case)


def _is_open(request_obj) -> bool:
    return request_obj.status in InformationRequest.OPEN_STATUSES and not request_obj.case.is_closed


@rule("dossier.answer_request")
def can_answer(user, request_obj) -> bool:
    """Answer or decline: a professional of the addressed organisation."""
    return request_obj is not None and _is_addressee(user, request_obj) and _is_open(request_obj)


@rule("dossier.withdraw_request")
def can_withdraw(user, request_obj) -> bool:
    """Withdraw: the asking organisation, while it takes part in the case."""
    return (
        request_obj is not None
        and _is_open(request_obj)
        and _is_requester(user, request_obj)
        and participates(user, request_obj.case)
    )
