"""A database outage met before the view (session or user loaded in a middleware) is a friendly 503, not a 500."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client


def _client(user) -> Client:
    # The client must answer like the server does instead of re-raising the exception in the test.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_outage_while_loading_the_session_gives_friendly_503(user_kecamatan):
    client = _client(user_kecamatan)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore._get_session_from_db",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.get("/registri/")
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Layanan sedang gangguan" in body
    assert "Traceback" not in body
    assert "server closed" not in body


@pytest.mark.django_db
def test_outage_under_api_prefix_answers_json(user_kecamatan):
    client = _client(user_kecamatan)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore._get_session_from_db",
        side_effect=OperationalError("the database system is shutting down"),
    ):
        response = client.get("/api/v1/aid/rounds/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert "Basis data" in response.json()["detail"]


@pytest.mark.django_db
def test_other_errors_still_get_the_500_page(user_kecamatan):
    client = _client(user_kecamatan)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore._get_session_from_db", side_effect=ValueError("bug")
    ):
        response = client.get("/registri/")
    assert response.status_code == 500
    assert "Terjadi kesalahan di server" in response.content.decode()
