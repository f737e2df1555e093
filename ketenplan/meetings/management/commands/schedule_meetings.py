"""Keep the coming twelve weeks of every region's team meetings in existence. Run it
daily; it is idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction

from ketenplan.meetings.models import MeetingSeries
from ketenplan.meetings.services import meetings_schedule


class Command(BaseCommand):
    help = "Create the coming operational team meetings of every active schedule."

    def handle(self, *args, **options):
        created = 0
        for series in MeetingSeries.objects.filter(is_active=True):
            with transaction.atomic():
                created += len(meetings_schedule(series=series))
        self.stdout.write(f"{created} meeting(s) created.")
