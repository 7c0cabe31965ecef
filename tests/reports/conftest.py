import pytest
from django.utils import timezone

from reports.builders.periods import month_end, month_start
from tests.factories.reports import known_registry


@pytest.fixture
def period():
    start = month_start(timezone.localdate())
    return start, month_end(start)


@pytest.fixture
def registry(db):
    return known_registry()
