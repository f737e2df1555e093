"""Database triggers that keep the audit tables append-only, for SQL that bypasses the ORM.

With the guards installed, even raw SQL over the application's own connection cannot:

* delete an audit event, except a sealed one already covered by an ``AuditCheckpoint``
  (retention pruning), nor ``TRUNCATE`` the table (PostgreSQL);
* update an audit event, except its one-time sealing: ``chain_seq``, ``prev_hash`` and
  ``chain_hash`` going from empty to filled with every other column unchanged;
* move the chain head backwards, or to a hash that is not the chain hash of the event it
  names, or remove it (rewriting its current position unchanged is allowed);
* change or remove a checkpoint, or add one that does not match a sealed event, lies
  about its time, or does not advance.

A database superuser can still disable or drop triggers (on PostgreSQL the table owner
can too, so run the application under a role that does not own the tables, see
``docs/adr/0001-audit-chain.md``). That is what ``verify_audit`` is for: it recomputes
every hash and reports missing or disabled guards.

On PostgreSQL the triggers are ``ENABLE ALWAYS``, so ``session_replication_role =
replica`` does not switch them off either.

``install`` is idempotent; it runs in migration ``0002`` and again after every
``migrate`` (``AuditConfig``), because on SQLite Django rebuilds a table to alter it and
the rebuild drops its triggers.
"""

# The SQL below is built from constant identifiers only, never from input.
# ruff: noqa: S608

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from .hashing import GENESIS_HASH

EVENTS = "audit_auditevent"
HEAD = "audit_auditchainhead"
CHECKPOINTS = "audit_auditcheckpoint"

# Columns that sealing fills in; every other column of an event is frozen at insert.
SEAL_COLUMNS = ("chain_seq", "prev_hash", "chain_hash")

SQLITE_TRIGGERS = (
    "audit_guard_event_update",
    "audit_guard_event_delete",
    "audit_guard_head_insert",
    "audit_guard_head_update",
    "audit_guard_head_delete",
    "audit_guard_checkpoint_insert",
    "audit_guard_checkpoint_update",
    "audit_guard_checkpoint_delete",
)
POSTGRESQL_TRIGGERS = {
    "audit_guard_event": EVENTS,
    "audit_guard_event_truncate": EVENTS,
    "audit_guard_head": HEAD,
    "audit_guard_head_truncate": HEAD,
    "audit_guard_checkpoint": CHECKPOINTS,
    "audit_guard_checkpoint_truncate": CHECKPOINTS,
}
POSTGRESQL_FUNCTIONS = (
    "audit_guard_event",
    "audit_guard_head",
    "audit_guard_checkpoint",
    "audit_guard_refuse_truncate",
)

# A checkpoint's created_at must be the real time of pruning, within this slack.
CHECKPOINT_CLOCK_SLACK_SECONDS = 900


def _tables_exist(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        names = set(connection.introspection.table_names(cursor))
    return {EVENTS, HEAD, CHECKPOINTS} <= names


def install(connection: BaseDatabaseWrapper) -> None:
    """(Re)create the guard triggers on the audit tables, if the tables exist."""
    if connection.vendor not in {"sqlite", "postgresql"} or not _tables_exist(connection):
        return
    uninstall(connection)
    statements = (
        _sqlite_statements(connection)
        if connection.vendor == "sqlite"
        else _postgresql_statements()
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the guard triggers (for ``flush`` outside production, and for migrations)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            existing = set(connection.introspection.table_names(cursor))
            for name, table in POSTGRESQL_TRIGGERS.items():
                if table in existing:
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            for function in POSTGRESQL_FUNCTIONS:
                cursor.execute(f'DROP FUNCTION IF EXISTS "{function}"()')


def problems(connection: BaseDatabaseWrapper) -> list[str]:
    """What is wrong with the guards on this database (empty when all is well)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit_guard_%'"
            )
            present = {row[0] for row in cursor.fetchall()}
        return [f"guard trigger {name} is missing" for name in SQLITE_TRIGGERS if name not in present]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname, tgenabled FROM pg_trigger "
                "WHERE tgname LIKE 'audit_guard_%' AND NOT tgisinternal"
            )
            present = dict(cursor.fetchall())
        found = []
        for name in POSTGRESQL_TRIGGERS:
            if name not in present:
                found.append(f"guard trigger {name} is missing")
            elif present[name] != "A":
                found.append(f"guard trigger {name} is not enabled always (state {present[name]!r})")
        return found
    return [f"no guard triggers for the {connection.vendor} database"]


# --- SQLite ---------------------------------------------------------------------------


def _sqlite_statements(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        columns = [
            column.name for column in connection.introspection.get_table_description(cursor, EVENTS)
        ]
    frozen = " AND ".join(
        f'NEW."{name}" IS OLD."{name}"' for name in columns if name not in SEAL_COLUMNS
    )
    covered = f"(SELECT COALESCE(MAX(through_seq), 0) FROM {CHECKPOINTS})"
    refuse = "BEGIN SELECT RAISE(ABORT, '{message}'); END"
    return [
        f"""CREATE TRIGGER audit_guard_event_update BEFORE UPDATE ON {EVENTS}
        WHEN NOT (
            OLD.chain_seq IS NULL AND OLD.prev_hash = '' AND OLD.chain_hash = ''
            AND NEW.chain_seq IS NOT NULL AND NEW.prev_hash <> '' AND NEW.chain_hash <> ''
            AND {frozen}
        )
        {refuse.format(message="audit events are append-only: an event can only be sealed, once")}""",
        f"""CREATE TRIGGER audit_guard_event_delete BEFORE DELETE ON {EVENTS}
        WHEN OLD.chain_seq IS NULL OR OLD.chain_seq > {covered}
        {refuse.format(message="audit events are append-only: only a checkpointed prefix can be pruned")}""",
        f"""CREATE TRIGGER audit_guard_head_insert BEFORE INSERT ON {HEAD}
        WHEN NEW.seq <> 0 OR NEW.chain_hash <> '{GENESIS_HASH}'
        {refuse.format(message="the audit chain head can only start at the beginning")}""",
        f"""CREATE TRIGGER audit_guard_head_update BEFORE UPDATE ON {HEAD}
        WHEN NOT (
            NEW.id = OLD.id AND NEW.seq > OLD.seq
            AND EXISTS (
                SELECT 1 FROM {EVENTS} e WHERE e.chain_seq = NEW.seq
                AND e.chain_hash = NEW.chain_hash AND e.id = NEW.last_event_id
            )
        ) AND NOT (
            NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.chain_hash = OLD.chain_hash
            AND NEW.last_event_id IS OLD.last_event_id
        )
        {refuse.format(message="the audit chain head only moves forward, to a sealed event")}""",
        f"""CREATE TRIGGER audit_guard_head_delete BEFORE DELETE ON {HEAD}
        {refuse.format(message="the audit chain head cannot be removed")}""",
        f"""CREATE TRIGGER audit_guard_checkpoint_insert BEFORE INSERT ON {CHECKPOINTS}
        WHEN NEW.through_seq <= {covered}
            OR NOT EXISTS (
                SELECT 1 FROM {EVENTS} e WHERE e.chain_seq = NEW.through_seq
                AND e.chain_hash = NEW.chain_hash AND e.id = NEW.through_event_id
                AND e.at = NEW.through_at
            )
            OR abs(julianday(NEW.created_at) - julianday('now')) * 86400
                > {CHECKPOINT_CLOCK_SLACK_SECONDS}
        {refuse.format(message="an audit checkpoint must advance and match a sealed event")}""",
        f"""CREATE TRIGGER audit_guard_checkpoint_update BEFORE UPDATE ON {CHECKPOINTS}
        {refuse.format(message="audit checkpoints cannot be changed")}""",
        f"""CREATE TRIGGER audit_guard_checkpoint_delete BEFORE DELETE ON {CHECKPOINTS}
        {refuse.format(message="audit checkpoints cannot be removed")}""",
    ]


# --- PostgreSQL -----------------------------------------------------------------------


def _postgresql_statements() -> list[str]:
    covered = f"(SELECT COALESCE(MAX(through_seq), 0) FROM {CHECKPOINTS})"
    seal_columns = " - ".join(f"'{name}'" for name in SEAL_COLUMNS)
    # 23001 = restrict_violation: Django raises IntegrityError, as on SQLite.
    return [
        f"""CREATE FUNCTION audit_guard_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF OLD.chain_seq IS NOT NULL AND OLD.chain_seq <= {covered} THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'audit events are append-only: event % cannot be deleted', OLD.id
                    USING ERRCODE = '23001';
            END IF;
            IF OLD.chain_seq IS NULL AND OLD.prev_hash = '' AND OLD.chain_hash = ''
               AND NEW.chain_seq IS NOT NULL AND NEW.prev_hash <> '' AND NEW.chain_hash <> ''
               AND (to_jsonb(NEW) - {seal_columns}) = (to_jsonb(OLD) - {seal_columns}) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'audit events are append-only: event % can only be sealed, once', OLD.id
                USING ERRCODE = '23001';
        END $$""",
        f"""CREATE FUNCTION audit_guard_head() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' AND NEW.seq = 0 AND NEW.chain_hash = '{GENESIS_HASH}' THEN
                RETURN NEW;
            END IF;
            IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq AND EXISTS (
                SELECT 1 FROM {EVENTS} e WHERE e.chain_seq = NEW.seq
                AND e.chain_hash = NEW.chain_hash AND e.id = NEW.last_event_id
            ) THEN
                RETURN NEW;
            END IF;
            -- Rewriting the same position (a no-op, e.g. a test fixture restoring rows).
            IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq
               AND NEW.chain_hash = OLD.chain_hash
               AND NEW.last_event_id IS NOT DISTINCT FROM OLD.last_event_id THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'the audit chain head only moves forward, to a sealed event (%)', TG_OP
                USING ERRCODE = '23001';
        END $$""",
        f"""CREATE FUNCTION audit_guard_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT'
               AND NEW.through_seq > {covered}
               AND EXISTS (
                   SELECT 1 FROM {EVENTS} e WHERE e.chain_seq = NEW.through_seq
                   AND e.chain_hash = NEW.chain_hash AND e.id = NEW.through_event_id
                   AND e.at = NEW.through_at
               )
               AND abs(extract(epoch FROM NEW.created_at - now()))
                   <= {CHECKPOINT_CLOCK_SLACK_SECONDS} THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'audit checkpoints are insert-only and must match a sealed event (%)', TG_OP
                USING ERRCODE = '23001';
        END $$""",
        """CREATE FUNCTION audit_guard_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit tables cannot be truncated' USING ERRCODE = '23001';
        END $$""",
        f"""CREATE TRIGGER audit_guard_event BEFORE UPDATE OR DELETE ON {EVENTS}
        FOR EACH ROW EXECUTE FUNCTION audit_guard_event()""",
        f"""CREATE TRIGGER audit_guard_event_truncate BEFORE TRUNCATE ON {EVENTS}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_guard_refuse_truncate()""",
        f"""CREATE TRIGGER audit_guard_head BEFORE INSERT OR UPDATE OR DELETE ON {HEAD}
        FOR EACH ROW EXECUTE FUNCTION audit_guard_head()""",
        f"""CREATE TRIGGER audit_guard_head_truncate BEFORE TRUNCATE ON {HEAD}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_guard_refuse_truncate()""",
        f"""CREATE TRIGGER audit_guard_checkpoint BEFORE INSERT OR UPDATE OR DELETE ON {CHECKPOINTS}
        FOR EACH ROW EXECUTE FUNCTION audit_guard_checkpoint()""",
        f"""CREATE TRIGGER audit_guard_checkpoint_truncate BEFORE TRUNCATE ON {CHECKPOINTS}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_guard_refuse_truncate()""",
        *(
            f'ALTER TABLE "{table}" ENABLE ALWAYS TRIGGER "{name}"'
            for name, table in POSTGRESQL_TRIGGERS.items()
        ),
    ]
