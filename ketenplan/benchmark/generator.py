# Row tuples are kept one per line for review against the field lists; fictional data, so
# the standard PRNG is right; SQL is built from model metadata only.
# ruff: noqa: E501, S311, S608
"""Realistic, fictional bulk data for the benchmark (``manage.py bench_data``).

Everything is written with bulk inserts (``sink.Sink``: COPY on PostgreSQL), with ids
assigned here so that rows can point at each other without reading anything back. The
data follows the method: cases at every stage and with every outcome; organisations take
part in a realistic subset of their region's cases; plans, goals and evaluations for
cases past planning; consent for most persons; names with spelling variants; and an
audit trail that is generated already chained (``audit.hashing``), so ``verify_audit``
passes without a sealing run.

Deterministic for a given seed. Not for production: ``bench_data`` refuses there.
"""

from __future__ import annotations

import bisect
import json
import multiprocessing
import os
import random
import sys
import time
import traceback
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from hashlib import sha256

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.utils import timezone

from ketenplan.accounts.models import Organisation, Professional, Region, Role, RoleGrant
from ketenplan.audit import hashing
from ketenplan.audit.models import AuditChainHead, AuditEvent
from ketenplan.audit.services import seal_pending
from ketenplan.cases.models import (
    AdmissibilityDecision,
    Case,
    CaseDirectorAssignment,
    CaseMember,
    ClosureKind,
    ClosureOutcome,
    MemberRole,
    Participation,
    RiskLevel,
    RiskWeighing,
    Stage,
    Transition,
    ViolenceKind,
)
from ketenplan.cases.models import Closure as CaseClosure
from ketenplan.consent.models import Consent, ConsentStatus
from ketenplan.dossier.models import Contribution
from ketenplan.methods.models import LifeDomain, MethodProfile
from ketenplan.methods.schedule import milestones_for
from ketenplan.persons import matching
from ketenplan.persons.models import Person
from ketenplan.plans.models import Action, Contact, Evaluation, Goal, PlanVersion, SafetyMeasure
from ketenplan.risk.models import Assessment, InstrumentVersion

from . import names
from .sink import BulkLoad, Sink

BENCH_PASSWORD = "bench-password-not-secret"  # fictional bench accounts
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
EMAIL_DOMAIN = "bench.ketenplan.test"


@dataclass(frozen=True)
class Scale:
    regions: int
    cases_per_region: int
    persons_per_case: int = 4
    contributions_per_case: float = 17.0
    actions_per_case: float = 10.0
    contacts_per_case: float = 6.0
    audit_per_case: int = 100
    organisations_per_region: int = 30
    professionals_per_organisation: int = 8

    @property
    def cases(self) -> int:
        return self.regions * self.cases_per_region


SCALES = {
    # 10,000 cases, 40,000 persons, ~300,000 contributions/actions/contacts, 1,000,000 audit rows.
    "region": Scale(regions=1, cases_per_region=10_000),
    # 250,000 cases, 1,000,000 persons, 20,000,000 audit rows.
    "national": Scale(regions=25, cases_per_region=10_000, audit_per_case=80),
    # A pipeline check for ``make bench SCALE=smoke`` (a minute or two), never a measurement.
    "smoke": Scale(
        regions=1,
        cases_per_region=300,
        audit_per_case=20,
        organisations_per_region=12,
        professionals_per_organisation=4,
    ),
}


def fraction_of(scale: Scale, fraction: float) -> Scale:
    """``scale`` with ``fraction`` of its cases (and so of everything per case), for
    profiling the generator and extrapolating: the same shape per case and per region,
    fewer regions (at least one)."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    total = max(1, round(scale.cases * fraction))
    regions = max(1, round(scale.regions * fraction))
    return replace(scale, regions=regions, cases_per_region=max(1, total // regions))


def tiny_scale(cases: int) -> Scale:
    """For tests: ``cases`` cases in one region, with the same shape per case."""
    return Scale(regions=1, cases_per_region=cases, contributions_per_case=4, actions_per_case=3,
                 contacts_per_case=2, audit_per_case=3, organisations_per_region=12,
                 professionals_per_organisation=3)  # fmt: skip


# Stage mix of a region's case load, and how far each stage got.
STAGE_MIX = [
    (Stage.REGISTERED, 0.05),
    (Stage.INTAKE, 0.07),
    (Stage.DOSSIER, 0.08),
    (Stage.WEIGHING, 0.05),
    (Stage.PLANNING, 0.07),
    (Stage.EXECUTION, 0.28),
    (Stage.CLOSED, 0.40),
]
ORDER = [Stage.REGISTERED, Stage.INTAKE, Stage.DOSSIER, Stage.WEIGHING, Stage.PLANNING, Stage.EXECUTION]
# Contributions, actions, contacts per stage, relative to the scale's average.
VOLUME = {
    Stage.REGISTERED: (0.15, 0.0, 0.0),
    Stage.INTAKE: (0.3, 0.2, 0.0),
    Stage.DOSSIER: (0.8, 0.6, 0.0),
    Stage.WEIGHING: (1.0, 0.8, 0.0),
    Stage.PLANNING: (1.0, 1.0, 0.3),
    Stage.EXECUTION: (1.25, 1.35, 1.6),
    Stage.CLOSED: (1.1, 1.2, 1.35),
}

ORGANISATION_TYPES = [  # (type, ring, how many per region of 30)
    (Organisation.Type.POLICE, Organisation.Ring.CORE, 3),
    (Organisation.Type.PROSECUTOR, Organisation.Ring.CORE, 1),
    (Organisation.Type.GENERAL_WELFARE, Organisation.Ring.CORE, 3),
    (Organisation.Type.SOCIAL_WELFARE, Organisation.Ring.CORE, 6),
    (Organisation.Type.MENTAL_HEALTH, Organisation.Ring.CORE, 2),
    (Organisation.Type.YOUTH_WELFARE, Organisation.Ring.CORE, 2),
    (Organisation.Type.CHILD_ABUSE_CENTRE, Organisation.Ring.CORE, 1),
    (Organisation.Type.JUSTICE_HOUSE, Organisation.Ring.CORE, 1),
    (Organisation.Type.SHELTER, Organisation.Ring.NETWORK, 2),
    (Organisation.Type.SCHOOL, Organisation.Ring.NETWORK, 3),
    (Organisation.Type.ADDICTION_CARE, Organisation.Ring.NETWORK, 2),
    (Organisation.Type.HOSPITAL, Organisation.Ring.NETWORK, 2),
    (Organisation.Type.LAWYER, Organisation.Ring.NETWORK, 1),
]
CITIES = [
    "Antwerpen", "Gent", "Brugge", "Leuven", "Mechelen", "Aalst", "Kortrijk", "Hasselt",
    "Oostende", "Genk", "Roeselare", "Turnhout", "Sint-Niklaas", "Dendermonde", "Ieper",
    "Tongeren", "Lier", "Geel", "Vilvoorde", "Halle", "Tienen", "Waregem", "Lokeren",
    "Beveren", "Mol", "Utrecht", "Zwolle", "Breda", "Tilburg", "Arnhem",
]  # fmt: skip
SENTENCES = [
    "Moeder vertelt dat de spanningen thuis opnieuw zijn toegenomen sinds het ontslag van vader.",
    "Politie kwam ter plaatse na een melding van buren; geen letsels vastgesteld.",
    "De oudste zoon is vaak afwezig op school en lijkt teruggetrokken.",
    "Er is een gesprek geweest met beide ouders over de afspraken in het veiligheidsplan.",
    "Vader volgt sinds twee maanden een agressiebeheersingstraining en is gemotiveerd.",
    "Het gezin heeft schulden; een afspraak met de budgetbegeleiding is gepland.",
    "Moeder verblijft tijdelijk bij haar zus; de kinderen gaan mee.",
    "De huisarts meldt slaapproblemen en somberheid bij moeder.",
    "Jeugdhulp start met gezinsbegeleiding aan huis, twee keer per week.",
    "Er zijn zorgen over alcoholgebruik in het weekend.",
]
PLACEHOLDER = "Fictional benchmark text."
# From this many audit rows on (and on PostgreSQL only), a second process writes them.
PARALLEL_AUDIT_ROWS = 200_000
# Every table the generator fills by COPY: loaded without foreign keys and secondary
# indexes, which are rebuilt afterwards (``sink.BulkLoad``).
BULK_MODELS = [
    Person, Case, CaseMember, Participation, Transition, AdmissibilityDecision, RiskWeighing,
    CaseDirectorAssignment, CaseClosure, Assessment, Contribution, PlanVersion, Goal, SafetyMeasure,
    Evaluation, Action, Contact, Contact.with_persons.through, Consent, AuditEvent,
]  # fmt: skip


@dataclass
class Org:
    id: int
    region: int
    type: str
    professionals: list[int] = field(default_factory=list)


@dataclass
class PlannedCase:
    id: int
    region: int
    stage: str
    registered_at: datetime
    stage_changed_at: datetime
    referrer: int
    orgs: list[int]
    director: int | None
    members: list[tuple[int, list[str]]]
    closure: tuple[str, str] | None = None  # (kind, outcome)
    reached: str = Stage.REGISTERED  # the last stage before closure
    plan_approved_on: date | None = None


class Generator:
    def __init__(self, scale: Scale, *, seed: int = 20240601, out=None, parallel: bool = True):
        self.scale = scale
        self.parallel = parallel
        self.rng = random.Random(seed)
        self.sink = Sink()
        self.out = out
        self.now = timezone.now().astimezone(UTC).replace(microsecond=0)
        self.regions: list[int] = []
        self.orgs: list[Org] = []
        self.orgs_by_region: dict[int, list[Org]] = {}
        self.coordination: dict[int, Org] = {}
        self.pro_org: dict[int, int] = {}
        self.pro_email: dict[int, str] = {}
        self.pro_roles: dict[int, str] = {}
        self.cases: list[PlannedCase] = []
        self.bench_users: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self.cpu: dict[str, dict[str, float]] = {}

    def say(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message)

    def step(self, name: str, fn) -> None:
        """Run one phase and log its wall time, this process's CPU time and the CPU time
        of the database server process serving it (PostgreSQL on this machine), so that
        a run on a busy machine can still be judged and extrapolated."""
        started, cpu, db_cpu = time.monotonic(), time.process_time(), self._db_cpu()
        fn()
        wall = round(time.monotonic() - started, 1)
        self.timings[name] = wall
        used = round(time.process_time() - cpu, 1)
        self.cpu[name] = {"python": used}
        line = f"  {name + ':':18} {wall:7.1f} s wall, python {used:6.1f} s CPU"
        if db_cpu is not None:
            self.cpu[name]["database"] = round(self._db_cpu() - db_cpu, 1)
            line += f", database {self.cpu[name]['database']:6.1f} s CPU"
        self.say(line)

    def _db_cpu(self) -> float | None:
        """CPU seconds used so far by this connection's PostgreSQL backend (``None`` when
        not PostgreSQL or the server is not on this machine). Parallel index-build
        workers are not counted."""
        if connection.vendor != "postgresql":
            return None
        if not hasattr(self, "_backend_stat"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self._backend_stat = f"/proc/{cursor.fetchone()[0]}/stat"
        try:
            with open(self._backend_stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    # --- Orchestration ------------------------------------------------------------------

    def run(self) -> dict:
        started, cpu = time.monotonic(), time.process_time()
        # Anything already waiting is sealed first, so the generated chain continues it.
        seal_pending()
        self.domains = list(LifeDomain.objects.filter(is_active=True).values_list("pk", flat=True))
        self.profile = MethodProfile.objects.filter(is_active=True).order_by("pk").first()
        self.instrument = InstrumentVersion.objects.order_by("pk").first()
        parallel = (
            self.parallel
            and connection.vendor == "postgresql"
            and not connection.in_atomic_block
            and self.scale.audit_per_case * self.scale.cases >= PARALLEL_AUDIT_ROWS
        )
        audit = None
        if parallel:
            # Organisations and the plan are committed first; then the audit trail (the
            # largest table) is written by a second process over its own connection while
            # this one writes everything else: two cores, two streams.
            with transaction.atomic():
                self.step("organisations", self.make_organisations)
                self.step("cases", self.plan_cases)
            audit = self._start_audit_process()
            load = BulkLoad([m for m in BULK_MODELS if m is not AuditEvent])
        else:
            load = BulkLoad(BULK_MODELS)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            if not parallel:
                self.step("organisations", self.make_organisations)
            self.step("drop indexes", load.drop)
            if not parallel:
                self.step("cases", self.plan_cases)
            self.step("persons", self.write_persons)
            self.step("case rows", self.write_cases)
            self.step("dossier", self.write_contributions)
            self.step("plans", self.write_plans)
            self.step("actions", self.write_actions)
            self.step("contacts", self.write_contacts)
            self.step("consent", self.write_consents)
            if not parallel:
                self.step("audit", self.write_audit)
            self.step("indexes", load.restore_indexes)
            self.step("foreign keys", load.restore_foreign_keys)
            self.sink.reset_sequences()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            if audit is not None:
                audit[0].terminate()
            raise
        self.step("commit", lambda: atomic.__exit__(None, None, None))
        if audit is not None:
            self.step("wait for audit", lambda: self._join_audit_process(*audit))
        # Second factors last: enrolling one may write an audit row of its own (now).
        self.step("second factors", self.enrol_bench_users)
        if connection.vendor == "postgresql":
            self.step("vacuum + analyze", self._vacuum_analyze)
        seconds = round(time.monotonic() - started, 1)
        self.say(f"  {'total:':18} {seconds:7.1f} s wall, python {time.process_time() - cpu:6.1f} s CPU (this process)")
        return {
            "scale": self.scale.__dict__,
            "rows": dict(self.sink.counts),
            "seconds": seconds,
            "timings": self.timings,
            "cpu": self.cpu,
            "parallel_audit": parallel,
            "bench_users": self.bench_users,
        }

    def _start_audit_process(self):
        """Fork the audit writer. No connection may cross the fork: all are closed first
        (nothing is open in a transaction at this point) and each side opens its own."""
        connections.close_all()
        if hasattr(self, "_backend_stat"):
            del self._backend_stat  # each side gets a new database backend
        sys.stdout.flush()
        sys.stderr.flush()
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=self._audit_process, args=(sender,), daemon=True)
        process.start()
        sender.close()
        return process, receiver

    def _audit_process(self, sender) -> None:
        """In the forked process: the audit table without its secondary indexes, the
        chained rows, the indexes again, committed; timings and counts sent back."""
        try:
            self.sink = Sink()
            self.timings, self.cpu = {}, {}
            load = BulkLoad([AuditEvent])
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                self.step("audit: drop idx", load.drop)
                self.step("audit", self.write_audit)
                self.step("audit: indexes", load.restore_indexes)
                self.sink.reset_sequences()
            except BaseException:
                atomic.__exit__(*sys.exc_info())
                raise
            self.step("audit: commit", lambda: atomic.__exit__(None, None, None))
            sender.send({"counts": self.sink.counts, "timings": self.timings, "cpu": self.cpu})
        except BaseException:
            sender.send({"error": traceback.format_exc()})
        finally:
            sys.stdout.flush()
            connections.close_all()
            sender.close()

    def _join_audit_process(self, process, receiver) -> None:
        try:
            result = receiver.recv()
        except EOFError:
            result = {"error": f"the audit process ended without a result (exit code {process.exitcode})"}
        process.join()
        if "error" in result:
            raise RuntimeError(f"writing the audit trail failed:\n{result['error']}")
        for table, n in result["counts"].items():
            self.sink.counts[table] = self.sink.counts.get(table, 0) + n
        self.timings.update(result["timings"])
        self.cpu.update(result["cpu"])

    def _vacuum_analyze(self) -> None:
        """What autovacuum does to a production database after a bulk load: statistics for
        the planner and the visibility map that lets it answer from an index alone. The
        audit trail (append-only and by far the largest table) is only analysed: nothing
        reads it by index-only scans. Inside a transaction (the tests) only analysed."""
        audit_table = AuditEvent._meta.db_table
        with connection.cursor() as cursor:
            if connection.in_atomic_block:  # inside a test's transaction VACUUM cannot run
                cursor.execute("ANALYZE")
                return
            for table in connection.introspection.table_names(cursor):
                if table != audit_table:
                    cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
            cursor.execute(f"ANALYZE {connection.ops.quote_name(audit_table)}")

    # --- Organisations and professionals (ORM, small) -----------------------------------

    def make_organisations(self) -> None:
        rng = self.rng
        password = make_password(BENCH_PASSWORD)
        factor = self.scale.organisations_per_region / 30
        first_region = Region.objects.count()
        for r in range(self.scale.regions):
            city = CITIES[(first_region + r) % len(CITIES)]
            region = Region.objects.create(name=f"Bench {city} {first_region + r + 1}")
            self.regions.append(region.pk)
            orgs = [
                Organisation(region=region, name=f"Family Justice Center {city}", type=Organisation.Type.OTHER,
                             ring=Organisation.Ring.CORE, agreement_signed_on=date(2020, 1, 1),
                             is_coordination_point=True)
            ]
            for type_, ring, n in ORGANISATION_TYPES:
                for i in range(max(1, round(n * factor))):
                    label = Organisation.Type(type_).label
                    orgs.append(Organisation(region=region, name=f"{label} {city} {i + 1}", type=type_, ring=ring,
                                             agreement_signed_on=date(2020, 1, 1)))  # fmt: skip
            orgs = Organisation.objects.bulk_create(orgs)
            self.orgs_by_region[region.pk] = []
            for o in orgs:
                org = Org(o.pk, region.pk, o.type)
                self.orgs.append(org)
                self.orgs_by_region[region.pk].append(org)
                if o.is_coordination_point:
                    self.coordination[region.pk] = org
        pros, grants = [], []
        for org in self.orgs:
            for i in range(self.scale.professionals_per_organisation):
                email = f"p{org.id}-{i}@{EMAIL_DOMAIN}"
                pros.append(Professional(email=email, full_name=f"{rng.choice(names.FEMALE + names.MALE)} "
                                         f"{rng.choice(names.FAMILY_NAMES)}", organisation_id=org.id,
                                         password=password))  # fmt: skip
        pros = Professional.objects.bulk_create(pros, batch_size=1000)
        for p in pros:
            org = next(o for o in self.orgs_by_region[self._region_of(p.organisation_id)] if o.id == p.organisation_id)
            index = int(p.email.split("-")[1].split("@")[0])
            org.professionals.append(p.pk)
            self.pro_org[p.pk] = org.id
            self.pro_email[p.pk] = p.email
            if org is self.coordination[org.region]:
                roles = [Role.COORDINATOR] if index < 3 else [Role.TEAM_MEMBER, Role.CASE_DIRECTOR]
            elif org.type in (Organisation.Type.GENERAL_WELFARE, Organisation.Type.SOCIAL_WELFARE):
                roles = [Role.CASE_DIRECTOR, Role.TEAM_MEMBER] if index % 2 == 0 else [Role.PARTNER, Role.REFERRER]
            elif org.type == Organisation.Type.POLICE:
                roles = [Role.TEAM_MEMBER, Role.REFERRER] if index % 2 == 0 else [Role.PARTNER, Role.REFERRER]
            else:
                roles = [Role.PARTNER, Role.REFERRER] if index % 3 else [Role.TEAM_MEMBER, Role.PARTNER]
            self.pro_roles[p.pk] = ",".join(sorted(roles))
            grants.extend(RoleGrant(professional_id=p.pk, role=role) for role in roles)
        RoleGrant.objects.bulk_create(grants, batch_size=2000)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user_id=p.pk, email=p.email, verified=True, primary=True) for p in pros], batch_size=2000
        )
        self.directors = {
            region: [p for o in orgs for p in o.professionals if "case_director" in self.pro_roles[p]]
            for region, orgs in self.orgs_by_region.items()
        }

    def _region_of(self, org_id: int) -> int:
        if not hasattr(self, "_org_region"):
            self._org_region = {o.id: o.region for o in self.orgs}
        return self._org_region[org_id]

    # --- Cases (planned in memory, then written table by table) -------------------------

    def plan_cases(self) -> None:
        rng = self.rng
        span = timedelta(days=3 * 365)
        case_id = self.sink.next_id(Case)
        person_id = self.sink.next_id(Person)
        stages = [s for s, _ in STAGE_MIX]
        weights = [w for _, w in STAGE_MIX]
        planned = []
        for region in self.regions:
            orgs = self.orgs_by_region[region]
            others = [o for o in orgs if o is not self.coordination[region]]
            # A few organisations (police, general welfare) take part in many cases.
            org_weights = [5 if o.type in ("police", "general_welfare", "social_welfare") else 1 for o in others]
            for _ in range(self.scale.cases_per_region):
                stage = rng.choices(stages, weights)[0]
                registered_at = self.now - span * rng.random() ** 0.8 - timedelta(days=1)
                if stage in (Stage.EXECUTION, Stage.CLOSED):
                    registered_at = min(registered_at, self.now - timedelta(days=60))
                referrer = rng.choices(others, org_weights)[0]
                chosen = {referrer.id}
                for o in rng.choices(others, org_weights, k=rng.randint(2, 4)):
                    chosen.add(o.id)
                closure = None
                reached = stage
                if stage == Stage.CLOSED:
                    if rng.random() < 0.35:
                        outcome = rng.choice([ClosureOutcome.NOT_ADMISSIBLE, ClosureOutcome.RISK_NOT_HIGH,
                                              ClosureOutcome.REFERRED_ELSEWHERE])  # fmt: skip
                        closure = (ClosureKind.ADVICE, outcome)
                        reached = Stage.INTAKE if outcome == ClosureOutcome.NOT_ADMISSIBLE else Stage.WEIGHING
                    else:
                        closure = (ClosureKind.OUTCOME, rng.choice([
                            ClosureOutcome.GOALS_MET, ClosureOutcome.VIOLENCE_STOPPED, ClosureOutcome.FAMILY_MOVED,
                            ClosureOutcome.CONSENT_WITHDRAWN, ClosureOutcome.REFERRED_ELSEWHERE]))  # fmt: skip
                        reached = Stage.EXECUTION
                director = None
                if ORDER.index(reached) >= ORDER.index(Stage.PLANNING):
                    director = rng.choice(self.directors[region])
                    chosen.add(self.pro_org[director])
                chosen.discard(self.coordination[region].id)
                age = (self.now - registered_at).total_seconds()
                stage_changed_at = registered_at + timedelta(seconds=age * rng.uniform(0.2, 0.9))
                members = []
                for k in range(self.scale.persons_per_case):
                    roles = [MemberRole.VICTIM] if k == 0 else [MemberRole.ALLEGED_PERPETRATOR] if k == 1 else [
                        rng.choice([MemberRole.CHILD_VICTIM, MemberRole.CHILD_WITNESS])]  # fmt: skip
                    members.append((person_id, roles))
                    person_id += 1
                case = PlannedCase(case_id, region, stage, registered_at, stage_changed_at, referrer.id,
                                   [self.coordination[region].id, *sorted(chosen)], director, members,
                                   closure, reached)  # fmt: skip
                if reached == Stage.EXECUTION:
                    days = max(1, (stage_changed_at - registered_at).days)
                    case.plan_approved_on = (registered_at + timedelta(days=min(40, days // 2))).date()
                planned.append(case)
                case_id += 1
        planned.sort(key=lambda c: c.registered_at)
        # Ids ascend with registration time, like the real thing.
        first = self.sink.next_id(Case)
        for offset, case in enumerate(planned):
            case.id = first + offset
        self.cases = planned
        # About one family in twenty is registered again: the earlier case's victim and
        # perpetrator are members of the later one too (repeat registrations).
        self.repeats: dict[int, PlannedCase] = {}
        for i, case in enumerate(planned):
            if i > 50 and rng.random() < 0.05:
                earlier = planned[rng.randrange(0, i - 10)]
                if earlier.region == case.region and earlier.stage == Stage.CLOSED:
                    self.repeats[case.id] = earlier

    def _members(self, case: PlannedCase):
        yield from case.members
        earlier = self.repeats.get(case.id)
        if earlier is not None:
            yield from earlier.members[:2]

    def _pro(self, case: PlannedCase, org: int | None = None) -> int:
        org = org if org is not None else self.rng.choice(case.orgs)
        pros = self._org_pros[org]
        return pros[self.rng.randrange(len(pros))]

    @property
    def _org_pros(self) -> dict[int, list[int]]:
        if not hasattr(self, "_org_pros_cache"):
            self._org_pros_cache = {o.id: o.professionals for o in self.orgs}
        return self._org_pros_cache

    def write_persons(self) -> None:
        rng = self.rng
        creator = {}
        keys_cache: dict[tuple[str, str], tuple] = {}

        def keys(given: str, family: str) -> tuple:
            k = (given, family)
            if k not in keys_cache:
                d = matching.search_keys(given_names=given, family_name=family).as_dict()
                keys_cache[k] = (d["name_key"], d["given_name_key"], d["phonetic_key"], d["given_phonetic_key"])
            return keys_cache[k]

        def gen():
            for case in self.cases:
                family = rng.choice(names.FAMILY_NAMES)
                partner_family = rng.choice(names.FAMILY_NAMES)
                author = self._pro(case, case.referrer)
                creator[case.id] = author
                for k, (pid, _roles) in enumerate(case.members):
                    if k == 0:
                        given, fam, gender = rng.choice(names.FEMALE), partner_family, Person.Gender.FEMALE
                        born = date(1965, 1, 1) + timedelta(days=rng.randrange(35 * 365))
                    elif k == 1:
                        given, fam, gender = rng.choice(names.MALE), family, Person.Gender.MALE
                        born = date(1960, 1, 1) + timedelta(days=rng.randrange(38 * 365))
                    else:
                        given, fam = rng.choice(names.CHILDREN), family
                        gender = rng.choice([Person.Gender.FEMALE, Person.Gender.MALE])
                        born = date(2008, 1, 1) + timedelta(days=rng.randrange(16 * 365))
                    given, fam = names.spelled(given, rng), names.spelled(fam, rng)
                    approximate = rng.random() < 0.05
                    at = case.registered_at
                    yield (pid, given, "", fam, None if rng.random() < 0.04 else born, approximate, gender, None,
                           "", "", at, author, at, author, 1, *keys(given, fam))  # fmt: skip

        fields = ["id", "given_names", "name_prefix", "family_name", "birth_date", "birth_date_approximate",
                  "gender", "national_number", "nationality", "language", "created_at", "created_by",
                  "updated_at", "updated_by", "version", "name_key", "given_name_key", "phonetic_key",
                  "given_phonetic_key"]  # fmt: skip
        self.sink.write(Person, fields, gen())
        self.person_creator = creator

    def write_cases(self) -> None:
        rng = self.rng
        kinds = list(ViolenceKind.values)
        levels = list(RiskLevel.values)

        def cases():
            for c in self.cases:
                reference = f"KP-{c.registered_at.year}-{c.id:07d}"
                closed_at = c.stage_changed_at if c.stage == Stage.CLOSED else None
                risk = rng.choice(levels) if ORDER.index(c.reached) >= ORDER.index(Stage.PLANNING) else ""
                label = f"Gezin {self.family_label(c)}"
                yield (c.id, c.region, reference, label, c.stage, c.stage_changed_at, c.registered_at,
                       self.person_creator[c.id], c.referrer, rng.choice(SENTENCES), rng.sample(kinds, rng.randint(1, 2)),
                       "", c.id in self.repeats, self.repeats[c.id].id if c.id in self.repeats else None,
                       risk, c.director, c.plan_approved_on, c.closure[0] if c.closure else "", closed_at, 1,
                       c.stage_changed_at, None)  # fmt: skip

        self.sink.write(Case, ["id", "region", "reference", "family_label", "stage", "stage_changed_at",
                               "registered_at", "registered_by", "referring_organisation", "reason",
                               "violence_kinds", "crisis_measures", "is_repeat", "repeat_of", "risk_level",
                               "case_director", "plan_approved_on", "closure_kind", "closed_at", "version",
                               "updated_at", "updated_by"], cases())  # fmt: skip

        def members():
            mid = self.sink.next_id(CaseMember)
            for c in self.cases:
                for pid, roles in self._members(c):
                    yield (mid, c.id, pid, roles, c.registered_at, self.person_creator[c.id])
                    mid += 1

        self.sink.write(CaseMember, ["id", "case", "person", "roles", "added_at", "added_by"], members())

        def participations():
            pid = self.sink.next_id(Participation)
            for c in self.cases:
                for org in c.orgs:
                    kind = (Participation.Kind.COORDINATION if org == c.orgs[0] else Participation.Kind.REFERRER
                            if org == c.referrer else rng.choice([Participation.Kind.OPERATIONAL_TEAM,
                                                                  Participation.Kind.PARTNER]))  # fmt: skip
                    yield (pid, c.id, org, kind, "", c.registered_at, None, self.person_creator[c.id])
                    pid += 1

        self.sink.write(Participation, ["id", "case", "organisation", "kind", "reason", "since", "until",
                                        "added_by"], participations())  # fmt: skip

        def transitions():
            tid = self.sink.next_id(Transition)
            for c in self.cases:
                path = ORDER[: ORDER.index(c.reached) + 1]
                if c.stage == Stage.CLOSED:
                    path = [*path, Stage.CLOSED]
                total = c.stage_changed_at - c.registered_at
                previous = ""
                for i, stage in enumerate(path):
                    at = c.registered_at + total * (i / max(1, len(path) - 1))
                    actor = self._pro(c, c.orgs[0]) if i else self.person_creator[c.id]
                    name = "register" if not i else f"to_{stage}"
                    yield (tid, c.id, previous, stage, name, actor, "", at)
                    tid += 1
                    previous = stage

        self.sink.write(Transition, ["id", "case", "from_stage", "to_stage", "name", "actor", "reason", "at"],
                        transitions())  # fmt: skip

        def admissibility():
            aid = self.sink.next_id(AdmissibilityDecision)
            answers_yes = {c: {"met": True, "note": ""} for c in AdmissibilityDecision.Criterion.values}
            answers_no = {c: {"met": False, "note": ""} for c in AdmissibilityDecision.Criterion.values}
            for c in self.cases:
                if ORDER.index(c.reached) < ORDER.index(Stage.INTAKE) or c.stage == Stage.INTAKE:
                    continue
                admissible = not (c.closure and c.closure[1] == ClosureOutcome.NOT_ADMISSIBLE)
                yield (aid, c.id, answers_yes if admissible else answers_no, admissible,
                       "" if admissible else "Doorverwijzing naar reguliere hulp.", self._pro(c, c.orgs[0]),
                       c.registered_at + timedelta(days=3))  # fmt: skip
                aid += 1

        self.sink.write(AdmissibilityDecision, ["id", "case", "answers", "admissible", "advice", "decided_by",
                                                "decided_at"], admissibility())  # fmt: skip

        def weighings():
            wid = self.sink.next_id(RiskWeighing)
            for c in self.cases:
                if ORDER.index(c.reached) < ORDER.index(Stage.PLANNING) and not (
                    c.closure and c.closure[1] == ClosureOutcome.RISK_NOT_HIGH
                ):
                    continue
                yield (wid, c.id, rng.choice(levels), rng.choice(SENTENCES), "", self._pro(c, c.orgs[0]),
                       c.registered_at + timedelta(days=14))  # fmt: skip
                wid += 1

        self.sink.write(RiskWeighing, ["id", "case", "level", "reasoning", "advice", "decided_by", "decided_at"],
                        weighings())  # fmt: skip

        def assignments():
            aid = self.sink.next_id(CaseDirectorAssignment)
            for c in self.cases:
                if c.director is None:
                    continue
                ended = c.stage_changed_at if c.stage == Stage.CLOSED else None
                yield (aid, c.id, c.director, self._pro(c, c.orgs[0]), "", c.registered_at + timedelta(days=20), ended)
                aid += 1

        self.sink.write(CaseDirectorAssignment, ["id", "case", "professional", "assigned_by", "reason",
                                                 "started_at", "ended_at"], assignments())  # fmt: skip

        def closures():
            cid = self.sink.next_id(CaseClosure)
            for c in self.cases:
                if c.closure is None:
                    continue
                follow = (c.stage_changed_at + timedelta(days=180)).date() if c.closure[0] == "outcome" else None
                yield (cid, c.id, c.closure[0], c.closure[1], rng.choice(SENTENCES), "", self._pro(c, c.orgs[0]),
                       c.stage_changed_at, follow, None, "")  # fmt: skip
                cid += 1

        self.sink.write(CaseClosure, ["id", "case", "kind", "outcome", "note", "advice", "closed_by", "closed_at",
                                      "follow_up_on", "follow_up_done_at", "follow_up_note"], closures())  # fmt: skip

        if self.instrument is not None:
            bands = self.instrument.definition.get("bands") or [{"key": "", "level": "medium"}]

            def assessments():
                aid = self.sink.next_id(Assessment)
                for c in self.cases:
                    if ORDER.index(c.reached) < ORDER.index(Stage.WEIGHING) or rng.random() < 0.4:
                        continue
                    band = rng.choice(bands)
                    author = self._pro(c)
                    at = c.registered_at + timedelta(days=10)
                    yield (aid, c.id, c.members[0][0], self.instrument.pk, {}, Assessment.Status.FINAL,
                           rng.randint(0, 20), 0, 0, band["key"], band["level"], [], [], "", "", None, None,
                           band["key"], band["level"], "", author, self.pro_org[author], at, at, 1, at, None)  # fmt: skip
                    aid += 1

            self.sink.write(Assessment, ["id", "case", "person", "instrument_version", "answers", "status", "score",
                                         "unknown_count", "missing_count", "computed_band", "computed_level",
                                         "triggers", "flags", "judgement_band", "judgement_reason", "judgement_by",
                                         "judgement_at", "final_band", "level", "note", "assessed_by",
                                         "organisation", "created_at", "assessed_at", "version", "updated_at",
                                         "updated_by"], assessments())  # fmt: skip

    def family_label(self, case: PlannedCase) -> str:
        if not hasattr(self, "_labels"):
            self._labels = {}
            for row in Person.objects.filter(pk__in=[c.members[1][0] for c in self.cases]).values_list(
                "pk", "family_name"
            ).iterator(chunk_size=10_000):
                self._labels[row[0]] = row[1]
        return self._labels.get(case.members[1][0], "X")

    def _count(self, case: PlannedCase, which: int) -> int:
        base = (self.scale.contributions_per_case, self.scale.actions_per_case, self.scale.contacts_per_case)[which]
        mean = base * VOLUME[case.stage][which]
        if case.stage == Stage.CLOSED and ORDER.index(case.reached) < ORDER.index(Stage.PLANNING):
            mean *= 0.4
        return max(0, int(self.rng.gauss(mean, mean / 4) + 0.5)) if mean else 0

    def write_contributions(self) -> None:
        rng = self.rng
        today = self.now.date()

        def gen():
            cid = self.sink.next_id(Contribution)
            for c in self.cases:
                span = max(1, ((c.stage_changed_at if c.stage == Stage.CLOSED else self.now) - c.registered_at).days)
                for _ in range(self._count(c, 0)):
                    org = rng.choice(c.orgs)
                    at = c.registered_at + timedelta(days=rng.randrange(span), seconds=rng.randrange(86400))
                    about = None if rng.random() < 0.3 else rng.choice(c.members)[0]
                    yield (cid, c.id, about, rng.choice(self.domains), org, self._pro(c, org),
                           rng.choice(SENTENCES), min(at.date(), today), "Gesprek", at, None, True, "")  # fmt: skip
                    cid += 1

        self.sink.write(Contribution, ["id", "case", "about_person", "life_domain", "organisation", "author", "text",
                                       "occurred_on", "source", "created_at", "supersedes", "is_current",
                                       "correction_reason"], gen())  # fmt: skip

    def write_plans(self) -> None:
        rng = self.rng
        plan_rows, goal_rows, measure_rows, eval_rows = [], [], [], []
        self.goals: dict[int, list[tuple[int, int]]] = {}
        pid, gid, sid, eid = (self.sink.next_id(m) for m in (PlanVersion, Goal, SafetyMeasure, Evaluation))
        for c in self.cases:
            if c.plan_approved_on is None:
                continue
            approved = datetime.combine(c.plan_approved_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
            versions = 2 if rng.random() < 0.3 else 1
            for number in range(1, versions + 1):
                current = number == versions
                at = approved + timedelta(days=90 * (number - 1))
                approver = self._pro(c, c.orgs[0])
                plan_rows.append((pid, c.id, number, PlanVersion.Status.APPROVED if current else
                                  PlanVersion.Status.SUPERSEDED, "", approver, at - timedelta(days=5), approver, at,
                                  PlanVersion.ApprovedBy.COORDINATOR, None, None if current else at + timedelta(days=90),
                                  1, at, None))  # fmt: skip
                for k in range(4):
                    org = rng.choice(c.orgs)
                    goal_rows.append((gid, pid, rng.choice(self.domains), rng.choice(SENTENCES),
                                      rng.choice(c.members)[0], org, self._pro(c, org),
                                      c.plan_approved_on + timedelta(days=60 + 30 * k),
                                      rng.choice(Goal.Progress.values), k, None))  # fmt: skip
                    if current:
                        self.goals.setdefault(c.id, []).append((gid, org))
                    gid += 1
                for k, kind in enumerate((SafetyMeasure.Kind.DIRECT, SafetyMeasure.Kind.STRUCTURAL)):
                    measure_rows.append((sid, pid, kind, rng.choice(SENTENCES), rng.choice(c.orgs), None, k))
                    sid += 1
                pid += 1
            if self.profile is not None:
                end = c.stage_changed_at.date() if c.stage == Stage.CLOSED else self.now.date()
                for m in milestones_for(self.profile, registered_on=c.registered_at.date(),
                                        plan_approved_on=c.plan_approved_on):  # fmt: skip
                    if m.kind != "evaluation":
                        continue
                    held = m.due_on <= end and rng.random() < 0.85
                    eval_rows.append((eid, c.id, m.key, str(m.name), m.due_on, m.due_on if held else None,
                                      c.director if held else None, None, rng.choice(SENTENCES) if held else "",
                                      Evaluation.Decision.CONTINUE if held else ""))  # fmt: skip
                    eid += 1
        self.sink.write(PlanVersion, ["id", "case", "number", "status", "reason", "created_by", "created_at",
                                      "approved_by", "approved_at", "approval_route", "meeting_date",
                                      "superseded_at", "version", "updated_at", "updated_by"], plan_rows)  # fmt: skip
        self.sink.write(Goal, ["id", "plan_version", "life_domain", "description", "about_person",
                               "responsible_organisation", "responsible_professional", "due_on", "progress",
                               "order", "copied_from"], goal_rows)  # fmt: skip
        self.sink.write(SafetyMeasure, ["id", "plan_version", "kind", "description", "responsible_organisation",
                                        "due_on", "order"], measure_rows)  # fmt: skip
        self.sink.write(Evaluation, ["id", "case", "milestone_key", "name", "due_on", "held_on", "held_by",
                                     "plan_version", "summary", "decision"], eval_rows)  # fmt: skip

    def write_actions(self) -> None:
        rng = self.rng
        today = self.now.date()

        def gen():
            aid = self.sink.next_id(Action)
            for c in self.cases:
                open_case = c.stage != Stage.CLOSED
                goals = self.goals.get(c.id, [])
                for _ in range(self._count(c, 1)):
                    goal, org = rng.choice(goals) if goals and rng.random() < 0.7 else (None, rng.choice(c.orgs))
                    owner = self._pro(c, org) if rng.random() < 0.8 else None
                    created = c.registered_at + timedelta(days=rng.randrange(max(1, (self.now - c.registered_at).days)))
                    if open_case and rng.random() < 0.5:
                        due = today + timedelta(days=rng.randint(-20, 40))
                        status = rng.choice([Action.Status.OPEN, Action.Status.IN_PROGRESS])
                    else:
                        due = created.date() + timedelta(days=rng.randint(7, 60))
                        status = Action.Status.DONE if rng.random() < 0.9 else Action.Status.CANNOT_BE_DONE
                    done = status in (Action.Status.DONE, Action.Status.CANNOT_BE_DONE)
                    yield (aid, c.id, goal, rng.choice(SENTENCES), owner, org, due, status,
                           "Niet haalbaar." if status == Action.Status.CANNOT_BE_DONE else "",
                           created + timedelta(days=5) if done else None, self._pro(c, org), created, 1, created,
                           None)  # fmt: skip
                    aid += 1

        self.sink.write(Action, ["id", "case", "goal", "description", "owner", "owner_organisation", "due_on",
                                 "status", "status_reason", "completed_at", "created_by", "created_at", "version",
                                 "updated_at", "updated_by"], gen())  # fmt: skip

    def write_contacts(self) -> None:
        rng = self.rng
        links = []

        def gen():
            cid = self.sink.next_id(Contact)
            for c in self.cases:
                span = max(1, ((c.stage_changed_at if c.stage == Stage.CLOSED else self.now) - c.registered_at).days)
                for _ in range(self._count(c, 2)):
                    org = rng.choice(c.orgs)
                    at = c.registered_at + timedelta(days=rng.randrange(span), seconds=rng.randrange(86400))
                    yield (cid, c.id, rng.choice(Contact.Kind.values), at, self._pro(c, org), org,
                           rng.choice(SENTENCES), at)  # fmt: skip
                    for person in {rng.choice(c.members)[0] for _ in range(rng.randint(1, 2))}:
                        links.append((cid, person))
                    cid += 1

        self.sink.write(Contact, ["id", "case", "kind", "at", "professional", "organisation", "summary",
                                  "created_at"], gen())  # fmt: skip
        through = Contact.with_persons.through
        first = self.sink.next_id(through)
        self.sink.write(through, ["id", "contact", "person"], ((first + i, a, b) for i, (a, b) in enumerate(links)))

    def write_consents(self) -> None:
        rng = self.rng

        def gen():
            cid = self.sink.next_id(Consent)
            for c in self.cases:
                if c.stage == Stage.REGISTERED:
                    continue
                for pid, roles in self._members(c):
                    roll = rng.random()
                    if roll > 0.9:
                        continue  # not recorded yet
                    at = c.registered_at + timedelta(days=rng.randint(1, 10))
                    author = self._pro(c)
                    org = self.pro_org[author]
                    if roll < 0.75:
                        status, how, reason = ConsentStatus.GIVEN, "in_person", ""
                    elif roll < 0.85 or MemberRole.ALLEGED_PERPETRATOR not in roles:
                        status, how, reason = ConsentStatus.REFUSED, "phone", ""
                    else:
                        status, how, reason = ConsentStatus.NOT_ASKED, "", "Vragen brengt het slachtoffer in gevaar."
                    yield (cid, c.id, pid, status, "all_partners", at.date() if how else None, how, None, "", None,
                           reason, None, author, org, at)  # fmt: skip
                    cid += 1

        self.sink.write(Consent, ["id", "case", "person", "status", "scope", "obtained_on", "obtained_how",
                                  "given_by", "evidence_note", "evidence_attachment", "reason", "protects",
                                  "recorded_by", "recorded_by_organisation", "recorded_at"], gen())  # fmt: skip

    # --- The audit trail, generated already chained --------------------------------------

    def write_audit(self) -> None:
        """The audit trail, already chained, in one COPY (the largest table by far).

        The hot loop builds each row's canonical content (``hashing.content_digest``)
        from fragments prepared once per professional and per kind of event, hashes it
        and links it with ``hashlib`` directly, and hands PostgreSQL ready COPY text.
        Every 997th row (and the first) is hashed again with ``hashing.content_digest_of``
        and must agree, so a change in the hashing fails here, not in ``verify_audit``.
        """
        rng = self.rng
        head = AuditChainHead.objects.select_for_update().get_or_create(pk=1)[0]
        latest = AuditEvent.objects.order_by("-at").values_list("at", flat=True).first()
        start = self.now - timedelta(days=3 * 365)
        if latest is not None:
            start = max(start, latest.astimezone(UTC) + timedelta(seconds=1))
        end = self.now - timedelta(minutes=5)
        total = self.scale.audit_per_case * len(self.cases)
        if total == 0 or end <= start:
            return
        step = (end - start).total_seconds() / total
        registered = [c.registered_at.timestamp() for c in self.cases]
        actions = [("case.viewed", "cases.case", 0.55), ("case.timeline_viewed", "cases.case", 0.1),
                   ("contribution.created", "dossier.contribution", 0.1), ("person.search", "", 0.1),
                   ("action.updated", "plans.action", 0.1), ("contact.logged", "plans.contact", 0.05)]  # fmt: skip
        kind_weights = [w for _, _, w in actions]
        encode = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode  # as hashing does
        kinds = []  # (action, object_type, detail, is_case, hash fragment, hash suffix, COPY fragment)
        for action, object_type, _ in actions:
            detail = '{"bench":true}' if object_type else '{"purpose":"case_registration","candidates":1}'
            kinds.append((action, object_type, detail, object_type == "cases.case",
                          f",{encode(action)},{encode(object_type)},\"",
                          f'","normal",null,{encode(json.loads(detail))}]',
                          f"{action}\t{object_type}\t"))  # fmt: skip
        actors = {}  # professional -> (hash fragment, COPY fragment, org, label, roles)
        for org, pros in self._org_pros.items():
            for p in pros:
                label, roles = self.pro_email[p], self.pro_roles[p]
                for value in (label, roles):  # COPY text below is written unescaped
                    if any(ch in value for ch in "\\\t\n\r"):
                        raise ValueError(f"unexpected character in {value!r}")
                actors[p] = (encode([p, label, org, roles])[1:-1], f"{p}\t{label}\t{org}\t{roles}\t", org, label,
                             roles)  # fmt: skip
        first_id = self.sink.next_id(AuditEvent)
        state = {"seq": head.seq, "hash": head.chain_hash, "id": first_id - 1}
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        cases, org_pros, rand, bisect_right = self.cases, self._org_pros, rng.random, bisect.bisect_right
        postgresql = connection.vendor == "postgresql"
        adapt = connection.ops.adapt_datetimefield_value

        def rows(chunk: int = 20_000):
            """Lists of COPY lines (PostgreSQL) or of row tuples (SQLite)."""
            t = start.timestamp()
            seq, prev, eid = state["seq"], state["hash"], state["id"]
            n = 0
            while n < total:
                size = min(chunk, total - n)
                out = []
                for kind in rng.choices(kinds, kind_weights, k=size):
                    t += step * (0.5 + rand())
                    ms = int(t * 1000)
                    at = epoch + timedelta(milliseconds=ms)
                    iso = at.isoformat()
                    upto = bisect_right(registered, ms / 1000) or 1
                    case = cases[int(rand() * upto)]
                    org = case.orgs[int(rand() * len(case.orgs))]
                    pros = org_pros[org]
                    actor = pros[int(rand() * len(pros))]
                    action, object_type, detail, is_case, fragment, suffix, kind_copy = kind
                    object_id = str(case.id) if is_case else (str(n) if object_type else "")
                    a_hash, a_copy, _org, label, roles = actors[actor]
                    eid += 1
                    seq += 1
                    content = sha256(f'["v2","{iso}",{a_hash}{fragment}{object_id}{suffix}'.encode()).hexdigest()
                    if n % 997 == 0 and content != hashing.content_digest_of(
                        at, actor, label, org, roles, action, object_type, object_id, "normal", None, detail
                    ):
                        raise RuntimeError("bench audit rows are hashed differently from audit.hashing")
                    chain = sha256(f"{prev}{content}{eid}".encode()).hexdigest()
                    if postgresql:
                        out.append(f"{eid}\t{iso}\t{a_copy}{kind_copy}{object_id}\tnormal\t\\N\t{detail}\t"
                                   f"{content}\t{seq}\t{prev}\t{chain}\n")  # fmt: skip
                    else:
                        out.append((eid, adapt(at), actor, label, org, roles, action, object_type, object_id,
                                    "normal", None, detail, content, seq, prev, chain))  # fmt: skip
                    prev = chain
                    n += 1
                yield out
            state.update(seq=seq, hash=prev, id=eid)

        names_ = ["id", "at", "actor", "actor_label", "organisation_id", "roles", "action", "object_type",
                  "object_id", "purpose", "ip", "detail", "content_hash", "chain_seq", "prev_hash", "chain_hash"]  # fmt: skip
        table = AuditEvent._meta.db_table
        qn = connection.ops.quote_name
        columns = ", ".join(qn(AuditEvent._meta.get_field(n).column) for n in names_)
        count = 0
        with connection.cursor() as cursor:
            if postgresql:
                # ``detail`` goes in as JSON text: the column parses it (jsonb). Nothing in
                # ``rows`` touches the database, so one COPY stays open throughout.
                with cursor.cursor.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
                    for lines in rows():
                        copy.write("".join(lines))
                        count += len(lines)
            else:
                sql = f"INSERT INTO {qn(table)} ({columns}) VALUES ({', '.join(['%s'] * len(names_))})"
                for batch in rows():
                    cursor.executemany(sql, batch)
                    count += len(batch)
        self.sink.counts[table] = self.sink.counts.get(table, 0) + count
        self.sink.touched.append(AuditEvent)
        AuditChainHead.objects.filter(pk=1).update(
            seq=state["seq"], chain_hash=state["hash"], last_event_id=state["id"], sealed_at=timezone.now()
        )

    # --- Bench users: a few professionals per role with an authenticator app ------------

    def enrol_bench_users(self) -> None:
        region = self.regions[0]
        coordinator = self.coordination[region].professionals[0]
        # The case director with the most cases, a police partner, a welfare partner.
        counts: dict[int, int] = {}
        for c in self.cases:
            if c.director and c.region == region and c.stage == Stage.EXECUTION:
                counts[c.director] = counts.get(c.director, 0) + 1
        director = max(counts, key=counts.get) if counts else coordinator
        police = next(o for o in self.orgs_by_region[region] if o.type == "police")
        welfare = next(o for o in self.orgs_by_region[region] if o.type == "social_welfare")
        self.bench_users = {
            "coordinator": coordinator,
            "case_director": director,
            "police": next(p for p in police.professionals if "team_member" in self.pro_roles[p]),
            "partner": next(p for p in welfare.professionals if "partner" in self.pro_roles[p]),
        }
        for user in Professional.objects.filter(pk__in=self.bench_users.values()):
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, BENCH_TOTP_SECRET)


def bench_users_json(result: dict) -> str:
    return json.dumps(result.get("bench_users", {}))
