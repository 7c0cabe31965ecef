import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories.core import RTFactory
from tests.helpers import assert_queries


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_home_lists_six_kelurahan_with_counts(client_for, user_kecamatan, keramasan):
    RTFactory.create_batch(3, kelurahan=keramasan)
    response = client_for(user_kecamatan).get(reverse("core:home"))
    assert response.status_code == 200
    rows = {row["kelurahan"].name: dict(row["counts"]) for row in response.context["rows"]}
    assert len(rows) == 6
    assert rows["Keramasan"]["RT terdaftar"] == 3
    assert rows["Kemang Agung"]["RT terdaftar"] == 0
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_home_counts_are_kept_per_user_for_a_few_minutes(client_for, user_kecamatan, user_kelurahan, keramasan):
    from django.core.cache import cache

    def rt_count(user):
        response = client_for(user).get(reverse("core:home"))
        return {row["kelurahan"].name: dict(row["counts"]) for row in response.context["rows"]}["Keramasan"][
            "RT terdaftar"
        ]

    RTFactory.create_batch(2, kelurahan=keramasan)
    assert rt_count(user_kecamatan) == 2
    RTFactory(kelurahan=keramasan)
    assert rt_count(user_kecamatan) == 2  # kept: no recount on every visit
    assert rt_count(user_kelurahan) == 3  # another user's figures are never served from this user's entry
    cache.clear()  # (what the expiry does after KELURAHAN_STATS_CACHE_SECONDS)
    assert rt_count(user_kecamatan) == 3


@pytest.mark.django_db
def test_home_query_count_does_not_grow(client_for, user_kecamatan, keramasan, django_assert_max_num_queries):
    client = client_for(user_kecamatan)
    client.get(reverse("core:home"))  # warm the session
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("core:home"))
    # session, user, permissions (2), the staff member's kelurahan set, the kelurahan list, and at most one
    # two queries per registered statistic (a permission check and a grouped count): nothing per row.
    from core.stats import _STATS

    assert len(first.captured_queries) <= 6 + 2 * len(_STATS)
    RTFactory.create_batch(20, kelurahan=keramasan)
    with assert_queries(len(first.captured_queries)):
        client.get(reverse("core:home"))


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client, settings):
    # The suite runs with a live Redis (REDIS_URL): both are up.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_503_when_broker_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


@pytest.mark.django_db
def test_language_switch_to_english(client_for, user_kecamatan):
    client = client_for(user_kecamatan)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert b'lang="en"' in response.content


@pytest.mark.django_db
def test_privacy_notice_is_public_and_complete(client, settings):
    settings.DPO_EMAIL = "ppdp@contoh.invalid"
    response = client.get(reverse("core:privacy"))
    assert response.status_code == 200
    body = response.content.decode()
    for expected in ("Tujuan dan dasar pemrosesan", "Masa retensi", "3 x 24 jam", "ppdp@contoh.invalid", "Pasal 25"):
        assert expected in body


@pytest.mark.django_db
def test_household_page_renders_every_panel_with_its_figures(client_for, user_kecamatan, keramasan):
    """Each app's panel shows its own figures (a panel reading the wrong keys would render blanks)."""
    from tests.factories.beneficiaries import HouseholdFactory
    from tests.factories.grievances import GrievanceFactory

    household = HouseholdFactory(kelurahan=keramasan)
    GrievanceFactory(kelurahan=keramasan, household=household, title="Beras belum diterima")
    body = (
        client_for(user_kecamatan).get(reverse("beneficiaries:household_detail", args=[household.pk])).content.decode()
    )
    assert "1 pengaduan, 1 masih terbuka." in body
    assert "Beras belum diterima" in body
    for key in ("panel-programs", "panel-aid", "panel-grievances"):
        assert key in body or f'data-panel="{key.split("-")[1]}' in body
