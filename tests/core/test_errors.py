from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse


@pytest.mark.django_db
def test_database_outage_gives_friendly_503(client_for, user_kecamatan):
    client = client_for(user_kecamatan)
    with mock.patch("core.views.selectors.kelurahan_overview", side_effect=OperationalError("server closed")):
        response = client.get(reverse("core:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Layanan sedang gangguan" in response.content.decode()
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_not_found_page_is_indonesian(client_for, user_kecamatan):
    response = client_for(user_kecamatan).get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert "tidak ditemukan" in response.content.decode()
