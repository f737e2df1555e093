from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ketenplan.accounts.models import Organisation, Professional, Region, RoleGrant
from ketenplan.cases.models import Case
from ketenplan.demo import region as demo
from ketenplan.demo.cases import add_demo_cases
from ketenplan.demo.meetings import add_demo_meetings, notifications_held_back


class Command(BaseCommand):
    help = (
        "Create the fictional demo region, its demo cases and its meetings, crisis consultation, "
        "escalation and consultation hours (refused in production mode)."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo region has known passwords: it is never loaded in production.")
        region = Region.objects.filter(name=demo.REGION_NAME).first()
        if region is not None and Case.objects.filter(region=region).exists():
            self.stdout.write("The demo region exists already; nothing changed.")
            return
        # The meeting services queue e-mail on commit: loading the demo sends none.
        with notifications_held_back(), transaction.atomic():
            if region is None:
                region = self._create_region()
            cases = add_demo_cases(region)
            if cases:
                add_demo_meetings(region)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo region loaded with {len(cases)} demo cases, the operational team's meetings "
                "and the consultation hours."
            )
        )

    def _create_region(self) -> Region:
        region = Region.objects.create(
            name=demo.REGION_NAME, locale=Region.Locale.FLANDERS, method_profile="ketenaanpak-ifg"
        )
        organisations = {}
        for key, (name, type_, ring, agreed, coordination, _domain) in demo.ORGANISATIONS.items():
            organisations[key] = Organisation.objects.create(
                region=region,
                name=name,
                type=type_,
                ring=ring,
                agreement_signed_on=agreed,
                is_coordination_point=coordination,
            )
        # One hash for the one demo password: hashing it 25 times costs seconds.
        password = make_password(demo.DEMO_PASSWORD)
        for full_name, org_key, title, roles, local in demo.PROFESSIONALS:
            email = f"{local}@{demo.ORGANISATIONS[org_key][5]}"
            user = Professional.objects.create_user(
                email=email,
                full_name=full_name,
                organisation=organisations[org_key],
                job_title=title,
                password=None,
            )
            user.password = password
            user.save(update_fields=["password"])
            RoleGrant.objects.bulk_create(RoleGrant(professional=user, role=r) for r in roles)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            if user.requires_mfa:
                TOTP.activate(user, demo.DEMO_TOTP_SECRET)
                RecoveryCodes.activate(user)
        return region
