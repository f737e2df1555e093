"""Date and time formats of the English interface.

Ketenplan's English is read in Belgium, the Netherlands and the United Kingdom, where a
date is day-month-year and the clock has 24 hours. Django's plain "en" formats are
American ("11/25/2026", "2:30 p.m."): a professional reading 03/04 as the fourth of March
can miss a deadline. These are the British formats with the 24-hour clock.
"""

from django.conf.locale.en_GB.formats import (  # noqa: F401
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    THOUSAND_SEPARATOR,
    YEAR_MONTH_FORMAT,
)

DATE_FORMAT = "j F Y"  # '25 November 2026'
TIME_FORMAT = "H:i"  # '14:30'
DATETIME_FORMAT = "j F Y, H:i"  # '25 November 2026, 14:30'
SHORT_DATE_FORMAT = "d/m/Y"  # '25/11/2026'
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # '25/11/2026 14:30'
