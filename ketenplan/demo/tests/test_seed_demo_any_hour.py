"""The demo loads at any hour: just after midnight on the weekday of a consultation hour
(Tuesday 10:00), when "last week's" sign-up, taken from tomorrow on and moved back a week,
would land later today and its advice could not be recorded yet."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from ketenplan.meetings.models import Booking

pytestmark = pytest.mark.django_db


def test_the_demo_loads_on_the_morning_of_a_consultation_hour():
    tuesday_after_midnight = datetime(2026, 12, 8, 0, 10, tzinfo=ZoneInfo("Europe/Brussels"))
    with time_machine.travel(tuesday_after_midnight, tick=True):
        call_command("seed_demo", stdout=StringIO())
        advised = Booking.objects.exclude(advice="").get()
        assert advised.slot.starts_at < tuesday_after_midnight
