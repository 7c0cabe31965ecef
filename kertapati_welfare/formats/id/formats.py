"""Indonesian formats (docs/domain.md §5.2-5.3).

Django 5.2's own `id` locale parses slash datetimes as month/day (`05/03/2025 14.30` would become 3 May);
these input formats put the day first everywhere, and the display formats spell months in full.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H.i"
TIME_FORMAT = "H.i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H.i"
FIRST_DAY_OF_WEEK = 1

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # ISO, what <input type="date"> sends
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%d-%m-%y",
    "%d/%m/%y",
    "%d %b %Y",
    "%d %B %Y",
]
TIME_INPUT_FORMATS = ["%H.%M", "%H:%M", "%H.%M.%S", "%H:%M:%S"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H.%M",
    "%d-%m-%Y %H.%M",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H.%M.%S",
    "%d-%m-%Y %H.%M.%S",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
