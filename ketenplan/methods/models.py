"""Method profiles and life domains: data, loaded from YAML files (see definitions.py).

Both are reference data for every region, not personal data. Rows are deactivated, never
deleted: plans and evaluations point at them.
"""

from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .definitions import KEY_MAX_LENGTH, KEY_PATTERN
from .language import localized

key_validator = RegexValidator(
    KEY_PATTERN,
    _("Use lower-case letters and digits, joined by single hyphens or underscores."),
)


class MethodProfile(models.Model):
    """One way of working (Ketenaanpak IFG, MDA++, MARAC, ...): its milestones and numbers.

    ``definition`` holds the checked YAML document as loaded; the columns beside it repeat
    what lists and look-ups need.
    """

    key = models.SlugField(
        _("key"), max_length=KEY_MAX_LENGTH, unique=True, validators=[key_validator]
    )
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive profiles are not offered for new regions; regions that use "
                    "one keep it."),
    )

    class Meta:
        verbose_name = _("method profile")
        verbose_name_plural = _("method profiles")
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="methodprofile_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized({"nl": self.name_nl, "en": self.name_en})

    @property
    def locale_hint(self) -> str:
        return self.definition["locale_hint"]

    @property
    def parameters(self) -> dict[str, Any]:
        return self.definition["parameters"]

    def parameter(self, name: str, default: Any = None) -> Any:
        """One of the profile's ``parameters`` by name, or ``default`` when not set."""
        return self.parameters.get(name, default)

    @property
    def repeat_window_months(self) -> int:
        """A new registration within this many months of an earlier case is a repeat."""
        return self.parameters["repeat_window_months"]

    @property
    def escalation(self) -> dict[str, int] | None:
        """``{"incidents": 3, "window_months": 12}`` where the method uses it, else None."""
        return self.parameters.get("escalation")

    @property
    def meeting(self) -> dict[str, Any] | None:
        """``{"frequency": {"count": 2, "per": "month"}, "minutes_per_case": 15}`` or None."""
        return self.parameters.get("meeting")

    @property
    def referral_criteria(self) -> list[dict[str, Any]]:
        """Any one of these is enough to refer (MARAC); empty for most profiles."""
        return self.definition.get("referral_criteria", [])


class LifeDomain(models.Model):
    """A life domain a plan sets goals in and dossier contributions are filed under."""

    key = models.SlugField(
        _("key"), max_length=KEY_MAX_LENGTH, unique=True, validators=[key_validator]
    )
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("life domain")
        verbose_name_plural = _("life domains")
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized({"nl": self.name_nl, "en": self.name_en})
