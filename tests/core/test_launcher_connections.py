"""The quick start holds a bounded number of database connections (issue 22, B10).

`make run` served with runserver, a thread per request: with CONN_MAX_AGE every thread left an idle connection
behind (72 after an audit) until PostgreSQL answered "sorry, too many clients already". bench/drills.py d drives
the real thing; these pin the pieces it relies on.
"""

from kertapati_welfare import embedded


def test_quick_start_serves_with_a_fixed_pool_of_threads():
    command = embedded.gunicorn_command("127.0.0.1", "8000")
    assert "runserver" not in command
    assert command[1:3] == ["-m", "gunicorn"]
    assert command[command.index("--workers") + 1] == str(embedded.WEB_WORKERS)
    assert command[command.index("--threads") + 1] == str(embedded.WEB_THREADS)
    assert command[command.index("--bind") + 1] == "127.0.0.1:8000"


def test_embedded_postgres_allows_far_more_connections_than_the_quick_start_can_open():
    budget = embedded.connection_budget()
    assert budget >= embedded.WEB_WORKERS * embedded.WEB_THREADS + embedded.CELERY_CONCURRENCY
    assert 4 * budget <= embedded.PG_MAX_CONNECTIONS
