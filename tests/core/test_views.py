from html.parser import HTMLParser

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


class _PanelText(HTMLParser):
    """The visible text inside each `data-panel="<key>"` card of a page, by key."""

    def __init__(self):
        super().__init__()
        self.panels: dict[str, str] = {}
        self._key = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if self._key is not None:
            self._depth += tag == "div"
        elif tag == "div" and dict(attrs).get("data-panel"):
            self._key, self._depth = dict(attrs)["data-panel"], 1
            self.panels[self._key] = ""

    def handle_endtag(self, tag):
        if self._key is not None and tag == "div":
            self._depth -= 1
            if self._depth == 0:
                self._key = None

    def handle_data(self, data):
        if self._key is not None and data.strip():
            self.panels[self._key] += " " + " ".join(data.split())


@pytest.mark.django_db
def test_household_page_renders_every_panel_with_its_figures(client_for, user_kecamatan, keramasan):
    """Each registered panel shows its own figures inside its own card: a panel reading the wrong keys renders
    blanks or its "nothing yet" line, and the always-present card wrapper (`data-panel`) proves nothing."""
    from beneficiaries.validators import card_code_display
    from core.panels import _PANELS
    from programs.models import Enrollment, EnrollmentStatus
    from tests.factories.aid_distribution import DeliveryFactory, DistributionRoundFactory, EntitlementFactory
    from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
    from tests.factories.grievances import GrievanceFactory
    from tests.factories.infrastructure import ProjectFactory
    from tests.factories.programs import CohortFactory

    household = HouseholdFactory(kelurahan=keramasan)
    member = MemberFactory(household=household, full_name="Rahmawati Binti Usman")
    GrievanceFactory(kelurahan=keramasan, household=household, title="Beras belum diterima")
    cohort = CohortFactory(program__name="Pelatihan Tata Boga")
    Enrollment.objects.create(cohort=cohort, program=cohort.program, member=member, status=EnrollmentStatus.ENROLLED)
    round_ = DistributionRoundFactory(institution__name="Yayasan Peduli Musi", package__name="Paket Ramadan")
    DeliveryFactory(entitlement=EntitlementFactory(round=round_, household=household))
    ProjectFactory(name="Jembatan Lorong Kenanga", kelurahan_served=[keramasan])
    expected = {
        "programs": ["Rahmawati Binti Usman", "Pelatihan Tata Boga"],
        "aid": ["Yayasan Peduli Musi", "Paket Ramadan"],
        "infrastructure_projects": ["Jembatan Lorong Kenanga"],
        "grievances": ["1 pengaduan, 1 masih terbuka.", "Beras belum diterima"],
        "card": [card_code_display(household.card_code), "Cetak kartu"],
    }
    # A panel registered without a case here fails: add its figures to `expected`.
    assert set(_PANELS["beneficiaries.Household"]) == set(expected)

    body = (
        client_for(user_kecamatan).get(reverse("beneficiaries:household_detail", args=[household.pk])).content.decode()
    )
    parser = _PanelText()
    parser.feed(body)
    assert set(parser.panels) == set(expected)
    for key, texts in expected.items():
        for text in texts:
            assert text in parser.panels[key], (key, text, parser.panels[key])
