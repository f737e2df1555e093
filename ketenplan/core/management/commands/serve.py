"""`make run`: prepare the embedded database, load the demo region when empty, start the
background worker and serve on http://127.0.0.1:8000."""

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection


def database_problem() -> str | None:
    """One line saying what is wrong with the database, or None when it answers."""
    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        where = db.get("NAME")
    else:
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db.get('NAME')}"
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return (
            f"The database at {where} cannot be reached ({reason}). "
            "Start the database server or point DATABASE_URL at a reachable one."
        )
    return None


class Command(BaseCommand):
    help = "Migrate, load the demo region if the database is empty, and serve Ketenplan."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("`serve` is for a workstation; in production use gunicorn (see README).")
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        problem = database_problem()
        if problem:
            raise CommandError(problem)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        from ketenplan.accounts.models import Region

        if not Region.objects.exists():
            self.stdout.write("Loading the demo region…")
            call_command("seed_demo", verbosity=0)
        call_command("demo_logins")
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "manage.py", "db_worker"])
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
