"""Calendar helpers for report periods: months in WIB, converted to aware datetimes for timestamp columns."""

import datetime

from django.utils import timezone


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return add_months(month_start(day), 1) - datetime.timedelta(days=1)


def add_months(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    return add_months(month_start(today or timezone.localdate()), -1)


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of a WIB day as an aware datetime (timestamps are stored in UTC)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00 WIB, the day after end 00:00 WIB): half-open, so no instant is counted twice."""
    return local_midnight(start), local_midnight(end + datetime.timedelta(days=1))
