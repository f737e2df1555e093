"""Queue the reminders of tomorrow's consultation sign-ups. Run it every hour (cron or a
systemd timer); a sign-up is reminded once."""

from django.core.management.base import BaseCommand

from ketenplan.meetings.services import booking_reminders_send


class Command(BaseCommand):
    help = "Queue e-mail reminders for consultation sign-ups in the coming 24 hours."

    def handle(self, *args, **options):
        count = booking_reminders_send()
        self.stdout.write(f"{count} reminder(s) queued.")
