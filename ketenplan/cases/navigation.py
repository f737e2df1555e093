"""What the case pages link to: the tabs every case page shows, and the steps of the
case path as links for the current user.

Other apps add their pages under a case (dossier, plan, execution); a tab appears only
when its URL name exists, so this module imports nothing from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ketenplan.core import policy

from . import workflow
from .models import Case

TABS: list[tuple[str, Promise, str]] = [
    ("overview", _("Overview"), "cases:detail"),
    ("dossier", _("Dossier"), "dossier:case_dossier"),
    ("consent", _("Consent"), "consent:overview"),
    ("risk", _("Risk"), "risk:case_risk"),
    ("plan", _("Plan"), "plans:case_plan"),
    ("execution", _("Execution"), "plans:case_execution"),
    ("timeline", _("Timeline"), "cases:timeline"),
]


def _url(name: str, case: Case) -> str | None:
    try:
        return reverse(name, args=[case.pk])
    except NoReverseMatch:
        return None


def case_tabs(case: Case, active: str = "") -> list[dict]:
    """``[{"key", "label", "url", "active"}]`` for the tabs whose pages exist."""
    tabs = []
    for key, label, url_name in TABS:
        url = _url(url_name, case)
        if url is not None:
            tabs.append({"key": key, "label": label, "url": url, "active": key == active})
    return tabs


# Who takes each step, in words for the user who may not.
TAKEN_BY = {
    "case.decide_admissibility": _("the coordinator"),
    "case.coordinate": _("the coordinator"),
    "case.weigh": _("the coordinator or a member of the operational team"),
    "case.direct": _("the case director or the coordinator"),
}

# step name -> (URL name of the page it is taken on, access rule)
STEP_PAGES: dict[str, tuple[str, str]] = {
    "admit": ("cases:admissibility", "case.decide_admissibility"),
    "not_admissible": ("cases:admissibility", "case.decide_admissibility"),
    "start_dossier": ("cases:intake_done", "case.coordinate"),
    "ready_for_weighing": ("cases:dossier_ready", "case.weigh"),
    "weighed_high": ("risk:case_risk", "case.weigh"),
    "weighed_not_high": ("risk:case_risk", "case.weigh"),
    "start_execution": ("cases:start_execution", "case.direct"),
    "revise_plan": ("plans:case_plan", "case.direct"),
    "close": ("cases:close", "case.direct"),
}

# Guards the user can answer on the step's own page (a confirmation), so they do not
# make the step unavailable.
CONFIRMABLE = {"close": {"confirm_open_requests": True}}

# Steps whose guard is met on the step's own page: the team makes and finalises the
# assessments on the risk page where it confirms the weighing. The link stays, with the
# reason beside it.
MET_ON_PAGE = {"weighed_high", "weighed_not_high"}


@dataclass(frozen=True)
class StepLink:
    name: str
    label: str
    refusal: str | None  # why the step cannot be taken now
    url: str | None  # where to take it; None when that page does not exist (yet)
    allowed: bool  # whether this user may take it
    taken_by: str
    met_on_page: bool = False  # the refusal is resolved on the step's own page

    @property
    def possible(self) -> bool:
        return (self.refusal is None or self.met_on_page) and self.allowed and self.url is not None


def step_links(user, case: Case) -> list[StepLink]:
    """The steps that start from the case's stage, each with why not or where to."""
    links = []
    steps = workflow.available_steps(case)
    refusals = workflow.refusals(case, steps, CONFIRMABLE)
    for step in steps:
        url_name, action = STEP_PAGES[step.name]
        links.append(
            StepLink(
                name=step.name,
                label=str(step.label),
                refusal=refusals[step.name],
                url=_url(url_name, case),
                allowed=policy.can(user, action, case),
                taken_by=str(TAKEN_BY[action]),
                met_on_page=step.name in MET_ON_PAGE,
            )
        )
    return links
