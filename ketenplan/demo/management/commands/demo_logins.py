from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core.management.base import BaseCommand

from ketenplan.accounts.models import Professional, Region
from ketenplan.cases.models import Case, Stage
from ketenplan.demo import region as demo


def current_demo_code() -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(demo.DEMO_TOTP_SECRET, counters[len(counters) // 2]))


def demo_cases_line(region) -> str:
    """E.g. "41 demo cases: 4 registered, 3 intake, ..., 13 closed"."""
    counts = dict.fromkeys(Stage.values, 0)
    for stage in Case.objects.filter(region=region).values_list("stage", flat=True):
        counts[stage] += 1
    total = sum(counts.values())
    spread = ", ".join(f"{n} {Stage(stage).label.lower()}" for stage, n in counts.items() if n)
    return f"{total} demo cases" + (f": {spread}" if spread else "") + " (fictional families)."


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args, **options):
        if not Region.objects.filter(name=demo.REGION_NAME).exists():
            self.stdout.write("No demo region in this database.")
            return
        people = (
            Professional.objects.filter(organisation__region__name=demo.REGION_NAME)
            .select_related("organisation")
            .prefetch_related("role_grants")
            .order_by("organisation__name", "full_name")
        )
        out = self.stdout.write
        out("")
        out("Ketenplan demo region — every name is fictional.")
        out(f"  Password for every demo account : {demo.DEMO_PASSWORD}")
        out(f"  Authenticator (TOTP) secret     : {demo.DEMO_TOTP_SECRET}")
        out("    add it to any authenticator app, or run `make totp` for the current code")
        out(f"    (current code: {current_demo_code()})")
        out("")
        for p in people:
            roles = ", ".join(sorted(str(g.get_role_display()) for g in p.role_grants.all()))
            out(f"  {p.email:<52} {p.organisation.name[:36]:<36} {roles}")
        out("")
        out(demo_cases_line(Region.objects.get(name=demo.REGION_NAME)))
        out("")
        out("Serving on http://127.0.0.1:8000 — stop with Ctrl+C.")
