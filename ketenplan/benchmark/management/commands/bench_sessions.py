"""``manage.py bench_sessions OUT.json``: pre-authenticated sessions for the load run.

For each bench persona (see ``generator.enrol_bench_users``) a server-side session (as a
sign-in with the second factor would leave it), a personal API token, and the cases,
execution-stage cases and names that persona can work with. Run with the same
``SECRET_KEY`` as the server: the session carries a hash that depends on it.
"""

import json

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from ketenplan.accounts.models import Professional
from ketenplan.api.services import api_token_create
from ketenplan.benchmark.generator import EMAIL_DOMAIN
from ketenplan.cases.models import CaseMember, Stage
from ketenplan.cases.selectors import visible_cases
from ketenplan.core.middleware import remember_region_locale

PERSONAS = ("coordinator", "case_director", "police", "partner")


def persona_users() -> dict[str, Professional]:
    """The bench personas: the enrolled (TOTP) bench professionals, by role."""
    users = {}
    for user in Professional.objects.filter(
        email__endswith=f"@{EMAIL_DOMAIN}", authenticator__type="totp"
    ).order_by("pk"):
        roles = user.roles
        if "coordinator" in roles:
            key = "coordinator"
        elif "case_director" in roles and user.directed_cases.exists():
            key = "case_director"
        elif user.organisation.type == "police":
            key = "police"
        else:
            key = "partner"
        users.setdefault(key, user)
    return users


def bench_meeting(users: dict[str, Professional]) -> int | None:
    """The next team meeting of the personas' region, with the personas at the table
    (confidentiality confirmed) and its agenda built, for the meeting pages of the load
    run; made once, then reused while it is upcoming."""
    from datetime import timedelta

    from django.utils import timezone

    from ketenplan.meetings.models import Attendance, Meeting
    from ketenplan.meetings.services import agenda_prepare

    coordinator = users.get("coordinator")
    if coordinator is None:
        return None
    region = coordinator.organisation.region_id
    meeting = Meeting.objects.filter(
        region_id=region, kind=Meeting.Kind.TEAM, starts_at__gt=timezone.now(), chair=coordinator
    ).order_by("starts_at").first()
    if meeting is None:
        starts = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=7)
        meeting = Meeting.objects.create(
            region_id=region, kind=Meeting.Kind.TEAM, starts_at=starts, ends_at=starts + timedelta(hours=2),
            chair=coordinator,
        )  # fmt: skip
    for user in users.values():
        confirmed = {"organisation_id": user.organisation_id, "confidentiality_confirmed_at": timezone.now()}
        Attendance.objects.get_or_create(meeting=meeting, professional=user, defaults=confirmed)
    agenda_prepare(actor=coordinator, meeting=meeting)
    return meeting.pk


class Command(BaseCommand):
    help = "Create signed-in sessions and API tokens for the bench personas (bench only)."

    def add_arguments(self, parser):
        parser.add_argument("out")
        parser.add_argument("--cases", type=int, default=200, help="sample cases per persona")

    def handle(self, *args, out, cases, **options):
        if getattr(settings, "PRODUCTION", False) and not getattr(settings, "KETENPLAN_BENCH", False):
            raise CommandError("bench_sessions refuses in production mode.")
        store = import_string(settings.SESSION_ENGINE + ".SessionStore")
        personas = []
        for name, user in sorted(persona_users().items()):
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            remember_region_locale(session, user)
            session.set_expiry(4 * 3600)
            session.create()
            token = api_token_create(actor=user, name="bench", valid_days=1)
            visible = visible_cases(user=user).order_by("-pk")
            sample = list(visible.values_list("pk", flat=True)[:cases])
            execution = list(visible.filter(stage=Stage.EXECUTION).values_list("pk", flat=True)[:cases])
            shapes = visible.filter(pk__in=sorted({*sample, *execution})).values_list(
                "pk", "stage", "case_director_id"
            )
            members = dict(
                CaseMember.objects.filter(case_id__in=execution).values_list("case_id", "person_id")
            )
            names = list(
                CaseMember.objects.filter(case_id__in=sample[:50]).values_list(
                    "person__given_names", "person__family_name", "person__birth_date"
                )
            )
            personas.append({
                "name": name,
                "user_id": user.pk,
                "email": user.email,
                "session": session.session_key,
                "token": token,
                "cases": sample,
                # What decides a case page's queries besides the code: the case's stage,
                # and whether the persona directs it (the director adds partners) -- the
                # load run compares queries per persona and case shape across scales.
                "case_shapes": {
                    str(pk): f"{stage} · directs" if director == user.pk else stage
                    for pk, stage, director in shapes
                },
                "execution_cases": [[c, members[c]] for c in execution if c in members],
                "names": [[g, f, b.isoformat() if b else ""] for g, f, b in names],
                "visible_cases": visible.count(),
            })  # fmt: skip
        if not personas:
            raise CommandError("No bench personas: run bench_data first.")
        meeting = bench_meeting(persona_users())
        for persona in personas:
            persona["meeting"] = meeting
        with open(out, "w") as f:
            json.dump({"session_cookie": settings.SESSION_COOKIE_NAME, "personas": personas}, f, indent=1)
        self.stdout.write(f"{len(personas)} personas written to {out}")
