"""Regions, organisations and the professionals who work in them."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A judicial district or municipality cluster that runs the chain approach."""

    class Locale(models.TextChoices):
        FLANDERS = "nl-be", _("Flanders (nl-BE)")
        NETHERLANDS = "nl-nl", _("Netherlands (nl-NL)")
        UNITED_KINGDOM = "en-gb", _("United Kingdom (en-GB)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    locale = models.CharField(
        _("regional words"), max_length=5, choices=Locale.choices, default=Locale.FLANDERS
    )
    # Method profiles become data in the case issue; until then the chosen profile's key.
    method_profile = models.CharField(_("method profile"), max_length=50, default="ketenaanpak-ifg")
    retention_years = models.PositiveSmallIntegerField(
        _("years closed cases are kept"),
        default=7,
        help_text=_("Closed cases are anonymised this many years after closure."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Type(models.TextChoices):
        POLICE = "police", _("Police")
        PROSECUTOR = "prosecutor", _("Prosecutor's office")
        GENERAL_WELFARE = "general_welfare", _("General welfare centre")
        SOCIAL_WELFARE = "social_welfare", _("Public social welfare centre / municipality")
        MENTAL_HEALTH = "mental_health", _("Mental-health centre")
        YOUTH_WELFARE = "youth_welfare", _("Youth welfare agency")
        CHILD_ABUSE_CENTRE = "child_abuse_centre", _("Child-abuse confidential centre")
        JUSTICE_HOUSE = "justice_house", _("Justice house")
        SHELTER = "shelter", _("Shelter")
        SCHOOL = "school", _("School")
        ADDICTION_CARE = "addiction_care", _("Addiction care")
        HOSPITAL = "hospital", _("Hospital")
        LAWYER = "lawyer", _("Lawyer")
        OTHER = "other", _("Other")

    class Ring(models.TextChoices):
        CORE = "core", _("Core partner")
        NETWORK = "network", _("Network partner")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=30, choices=Type.choices)
    ring = models.CharField(_("ring"), max_length=10, choices=Ring.choices)
    agreement_signed_on = models.DateField(
        _("cooperation agreement signed on"),
        null=True,
        blank=True,
        help_text=_("Leave empty while the cooperation agreement (convenant) is not signed."),
    )
    is_coordination_point = models.BooleanField(
        _("coordination point"),
        default=False,
        help_text=_("The Family Justice Center or coordination point that runs the region."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="organisation_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_signed_agreement(self) -> bool:
        return self.agreement_signed_on is not None and self.agreement_signed_on <= timezone.localdate()


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    TEAM_MEMBER = "team_member", _("Operational-team member")
    CASE_DIRECTOR = "case_director", _("Case director")
    REFERRER = "referrer", _("Referrer")
    PARTNER = "partner", _("Partner professional")
    ANALYST = "analyst", _("Analyst (statistics only)")
    ADMINISTRATOR = "administrator", _("Administrator")
    DATA_PROTECTION_OFFICER = "dpo", _("Data-protection officer")


class ProfessionalManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A professional needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_superuser", True)
        user = self.create_user(email, password, **fields)
        RoleGrant.objects.get_or_create(professional=user, role=Role.ADMINISTRATOR)
        return user


class Professional(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a professional of one partner organisation."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="professionals",
        verbose_name=_("organisation"),
        null=True,  # only the bootstrap superuser created from the command line has none
        blank=True,
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = ProfessionalManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("professional")
        verbose_name_plural = _("professionals")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="professional_unique_email_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_staff(self) -> bool:  # the Django admin asks this
        return self.has_role(Role.ADMINISTRATOR)

    @property
    def roles(self) -> frozenset[str]:
        """The roles this professional holds; read once per request object."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            if "role_grants" in getattr(self, "_prefetched_objects_cache", {}):
                cached = frozenset(g.role for g in self.role_grants.all())
            else:
                cached = frozenset(self.role_grants.values_list("role", flat=True))
            self._roles_cache = cached
        return cached

    @property
    def role_labels(self) -> list[str]:
        """The names of the roles held, in the order of ``Role``; from ``roles``, no query."""
        return [label for value, label in Role.choices if value in self.roles]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def region(self) -> Region | None:
        return self.organisation.region if self.organisation_id else None

    @property
    def requires_mfa(self) -> bool:
        """Everybody proves a second factor, except an analyst who holds no other role."""
        return self.roles != frozenset({Role.ANALYST})


class RoleGrant(models.Model):
    professional = models.ForeignKey(
        Professional, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["professional", "role"], name="rolegrant_unique"),
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class Invitation(models.Model):
    """A one-time link with which an invited professional sets their password."""

    professional = models.ForeignKey(
        Professional, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", null=True
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.professional} ({self.created_at:%Y-%m-%d})"

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
