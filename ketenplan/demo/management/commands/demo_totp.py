from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from .demo_logins import current_demo_code


class Command(BaseCommand):
    help = "Print the current sign-in code of the demo accounts (development only)."

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default="")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo codes do not exist in production mode.")
        self.stdout.write(current_demo_code())
