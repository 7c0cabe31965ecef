"""The quick-start launcher: a bad DATABASE_URL fails with one clear line and starts nothing."""

from unittest import mock

import pytest

from kertapati_welfare import embedded


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://nobody@127.0.0.1:1/x", "DATABASE_URL tidak dapat dihubungi"),
        ("mysql://root@127.0.0.1/x", "DATABASE_URL harus berupa alamat PostgreSQL"),
        ("bukan-url", "DATABASE_URL"),
    ],
)
def test_bad_database_url_one_line_and_nothing_started(url, expected, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with (
        mock.patch.object(embedded, "start_redis") as start_redis,
        mock.patch.object(embedded, "start_postgres") as start_pg,
    ):
        assert embedded.main(["run"]) == 2
    assert not start_redis.called
    assert not start_pg.called
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("Kesalahan:")
    assert expected in err[0]
    assert "Traceback" not in err[0]
