"""Assertions shared by the suite."""

import contextlib

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextlib.contextmanager
def assert_queries(expected: int):
    """Pins the exact number of queries (quality.md P1); on failure lists them so the extra one is obvious."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    executed = len(ctx.captured_queries)
    if executed != expected:
        listing = "\n".join(f"{i + 1}. {q['sql'][:300]}" for i, q in enumerate(ctx.captured_queries))
        raise AssertionError(f"expected {expected} queries, ran {executed}:\n{listing}")
