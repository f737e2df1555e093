"""``{% language_tag %}``: the active language as a BCP 47 tag for ``<html lang>``.

Django names languages in lower case ("nl-be"); assistive technology and browsers
(hyphenation, spelling, the voice of a screen reader) expect the region in capitals
("nl-BE"), as BCP 47 writes it.
"""

from django import template
from django.utils.translation import get_language, to_locale

register = template.Library()


@register.simple_tag
def language_tag() -> str:
    return to_locale(get_language() or "nl").replace("_", "-")
