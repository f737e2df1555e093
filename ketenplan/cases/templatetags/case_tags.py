"""Template tags of the case partials, so other apps can include them with only ``case``
in the context::

    {% include "cases/partials/case_header.html" %}
    {% include "cases/partials/case_tabs.html" with active="dossier" %}
"""

from django import template

from .. import selectors
from ..navigation import case_tabs as _case_tabs

register = template.Library()


@register.simple_tag
def case_tabs(case, active=""):
    return _case_tabs(case, active or "")


@register.simple_tag(takes_context=True)
def visible_repeat_source(context, case):
    """The earlier case this one repeats, when the user may see it; otherwise None."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return selectors.visible_repeat_source(user=user, case=case)
