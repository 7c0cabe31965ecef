"""GET filters of the programs pages go through django-filter FilterSets (programs/filters.py), and every
`visible_to` of the programs models starts from core.access.is_signed_in."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import Role
from programs.filters import CandidateFilter, DashboardFilter
from programs.models import Enrollment, GroupEnterprise, GroupMembership
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, (None, None)),
        ({"program": "5"}, (5, None)),
        ({"program": "5", "angkatan": "12"}, (5, 12)),
        ({"program": "abc", "angkatan": "12"}, (None, 12)),
        ({"program": "1.5"}, (None, None)),
        ({"program": "-3"}, (None, None)),
        ({"program": ""}, (None, None)),
    ],
)
def test_dashboard_filter_reads_whole_positive_ids_only(query, expected):
    assert DashboardFilter(query, queryset=Enrollment.objects.none()).ids() == expected


def test_candidate_filter_strips_and_caps_the_name():
    assert CandidateFilter({"q": "  siti  "}).query == "siti"
    assert CandidateFilter({}).query == ""
    assert CandidateFilter({"q": "x" * 101}).query == ""  # longer than the search box allows


def test_dashboard_page_ignores_a_malformed_program(client_for, user_kecamatan):
    response = client_for(user_kecamatan).get(reverse("programs:dashboard"), {"program": "abc"})
    assert response.status_code == 200
    assert "Semua program" in response.content.decode()


def test_group_enterprise_visible_to_is_signed_in_and_scoped(keramasan, kemang_agung, user_kelurahan):
    mine = GroupEnterprise.objects.create(
        name="Kelompok Keramasan", kelurahan=keramasan, business_kind="jahit", founded_on=datetime.date(2025, 1, 1)
    )
    GroupEnterprise.objects.create(
        name="Kelompok Kemang", kelurahan=kemang_agung, business_kind="jahit", founded_on=datetime.date(2025, 1, 1)
    )
    assert list(GroupEnterprise.objects.visible_to(user_kelurahan)) == [mine]
    assert not GroupEnterprise.objects.visible_to(AnonymousUser()).exists()
    assert not GroupEnterprise.objects.visible_to(None).exists()
    inactive = UserFactory(role=Role.STAF_KECAMATAN)
    inactive.is_active = False
    assert not GroupEnterprise.objects.visible_to(inactive).exists()
    for model in (Enrollment, GroupMembership):
        assert not model.objects.visible_to(AnonymousUser()).exists()
