import datetime

import pytest

from beneficiaries import choices
from programs import demo
from programs.models import (
    Cohort,
    CohortStatus,
    Enrollment,
    EnrollmentStatus,
    GroupEnterprise,
    GroupSale,
    Outcome,
    Program,
)
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_demo_without_members_creates_nothing_and_says_so():
    lines = []
    demo.seed(log=lines.append)
    assert not Program.objects.exists()
    assert "belum ada anggota" in lines[0]


def test_demo_builds_programs_outcomes_and_group_and_is_idempotent(keramasan):
    for i in range(40):
        MemberFactory(
            household=HouseholdFactory(kelurahan=keramasan),
            female=i % 4 != 0,
            birth_date=datetime.date(1975 + i % 25, 1 + i % 12, 10),
            relationship=choices.Relationship.WIFE,
        )
    lines = []
    demo.seed(log=lines.append)
    counts = (Program.objects.count(), Cohort.objects.count(), Enrollment.objects.count(), Outcome.objects.count())
    assert counts[0] == 2
    assert counts[1] == 3
    assert Cohort.objects.filter(status__in=[CohortStatus.FINISHED, CohortStatus.EVALUATED]).count() == 2
    assert Cohort.objects.filter(status=CohortStatus.OPEN).count() == 1
    assert Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED, certificate_code__isnull=False).count() >= 10
    assert Outcome.objects.filter(follow_up__months_after=6).exists()
    assert Outcome.objects.filter(follow_up__months_after=3).exists()
    group = GroupEnterprise.objects.get()
    assert group.sells_online
    assert group.memberships.count() > 0
    assert GroupSale.objects.count() == 6

    demo.seed(log=lines.append)
    assert (
        Program.objects.count(),
        Cohort.objects.count(),
        Enrollment.objects.count(),
        Outcome.objects.count(),
    ) == counts
    assert lines[-1] == "Program: sudah ada, tidak ada yang ditambah"
