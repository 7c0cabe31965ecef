"""Dashboard figures: completion, attendance, business at 6 months, median income change; scope per role."""

import pytest
from django.urls import reverse
from django.utils import timezone

from programs import selectors, services
from programs.models import Enrollment, EnrollmentStatus
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.programs.conftest import enroll

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(running_cohort, keramasan, kemang_agung):
    """Four participants (three women in Keramasan, one man in Kemang Agung): three graduate, one does not."""
    people = [
        MemberFactory(household=HouseholdFactory(kelurahan=keramasan), female=True),
        MemberFactory(household=HouseholdFactory(kelurahan=keramasan), female=True),
        MemberFactory(household=HouseholdFactory(kelurahan=keramasan), female=True),
        MemberFactory(household=HouseholdFactory(kelurahan=kemang_agung), female=False),
    ]
    ids = [enroll(running_cohort, p).pk for p in people]
    services.cohort_transition(actor=None, cohort=running_cohort, action="start")
    s1, s2 = running_cohort.sessions.filter(held_on__lte=timezone.localdate())
    services.attendance_record(actor=None, session=s1, present_ids=ids)
    services.attendance_record(actor=None, session=s2, present_ids=ids[:3])  # 7 of 8 present
    services.cohort_complete_all(actor=None, cohort=running_cohort)
    for enrollment, (business, before, after) in zip(
        Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED).order_by("pk"),
        [(True, 0, 1_000_000), (False, 200_000, 300_000), (True, 500_000, 800_000)],
        strict=True,
    ):
        services.outcome_record(
            actor=None,
            follow_up=enrollment.follow_ups.get(months_after=6),
            data={
                "recorded_on": timezone.localdate(),
                "has_business": business,
                "business_kind": "jahit" if business else "",
                "income_before": before,
                "income_after": after,
            },
        )
    return running_cohort


def test_dashboard_figures(user_kecamatan, finished):
    data = selectors.dashboard(user=user_kecamatan, program=finished.program)
    assert data["total"] == 4
    assert data["completion_rate"] == 75.0
    assert data["attendance_rate"] == 87.5
    assert data["business_rate_6m"] == 66.7
    assert data["median_income_change"] == 300_000  # changes 1.000.000, 100.000, 300.000
    assert {
        row["member__household__kelurahan__name"]: (row["male"], row["female"]) for row in data["by_kelurahan"]
    } == {
        "Keramasan": (0, 3),
        "Kemang Agung": (1, 0),
    }


def test_dashboard_breakdown_per_cohort_and_program(client_for, user_kecamatan, finished):
    data = selectors.dashboard(user=user_kecamatan, program=finished.program)
    assert data["breakdown"] == [
        {"id": finished.pk, "total": 4, "completion_rate": 75.0, "attendance_rate": 87.5, "business_rate_6m": 66.7}
    ]
    overall = selectors.dashboard(user=user_kecamatan)
    assert [row["id"] for row in overall["breakdown"]] == [finished.program_id]
    content = client_for(user_kecamatan).get(reverse("programs:dashboard")).content.decode()
    assert finished.program.name in content
    assert "Per program" in content


def test_dashboard_scope_per_role(user_kelurahan, user_pimpinan, finished):
    assert selectors.dashboard(user=user_kelurahan)["total"] == 3
    assert selectors.dashboard(user=user_pimpinan)["total"] == 4


def test_dashboard_page_for_pimpinan_has_aggregates_only(client_for, user_pimpinan, finished):
    response = client_for(user_pimpinan).get(reverse("programs:dashboard"), {"program": finished.program_id})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="program-dashboard-data"' in content
    assert "chart.umd.min.js" in content
    for enrollment in Enrollment.objects.select_related("member"):
        assert enrollment.member.full_name not in content


def test_dashboard_unknown_cohort_is_404(client_for, user_kecamatan, finished):
    response = client_for(user_kecamatan).get(
        reverse("programs:dashboard"), {"program": finished.program_id, "angkatan": 999999}
    )
    assert response.status_code == 404
