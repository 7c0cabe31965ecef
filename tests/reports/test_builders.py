"""Every figure of the monthly report against a hand-built registry with known answers (tests/factories/reports.py)."""

import datetime

import pytest
from django.utils import timezone

from aid_distribution.models import RoundStatus
from grievances.models import Category, Status
from infrastructure.models import ProjectStatus
from reports import builders
from reports.models import ReportType
from reports.tables import build_tables
from tests.factories.aid_distribution import (
    DeliveryFactory,
    DistributionRoundFactory,
    EntitlementFactory,
    InstitutionFactory,
)
from tests.factories.beneficiaries import HouseholdFactory
from tests.factories.grievances import GrievanceFactory
from tests.factories.infrastructure import ProjectFactory

pytestmark = pytest.mark.django_db


def build(period, kelurahan_ids=None, report_type=ReportType.BULANAN):
    start, end = period
    return builders.build(report_type=report_type, period_start=start, period_end=end, kelurahan_ids=kelurahan_ids)


def by_name(section, name):
    return next(row for row in section["rows"] if row["name"] == name)


def test_households_registered_new_changed_removed_and_desil(registry, period):
    figures = build(period)
    section = figures["sections"]["households"]
    assert section["available"]
    keramasan = by_name(section, "Keramasan")
    # h1, h2, h3 active (h4 removed); h1 new; h2 changed; h4 removed; h1 in DTKS.
    assert {k: keramasan[k] for k in ("active", "new", "changed", "removed", "dtks")} == {
        "active": 3,
        "new": 1,
        "changed": 1,
        "removed": 1,
        "dtks": 1,
    }
    assert (keramasan["desil_1"], keramasan["desil_2"], keramasan["desil_3"], keramasan["desil_none"]) == (1, 0, 1, 1)
    assert keramasan["desil_1_4"] == 2
    kemang = by_name(section, "Kemang Agung")
    assert (kemang["active"], kemang["new"], kemang["desil_4"], kemang["desil_1_4"]) == (1, 0, 1, 1)
    assert section["total"]["active"] == 4
    assert section["total"]["desil_1_4"] == 3
    # Kelurahan without households have zero rows, not missing ones.
    assert len(section["rows"]) == 6
    assert sum(row["active"] for row in section["rows"]) == section["total"]["active"]


def test_members_by_sex_age_education_disability(registry, period):
    section = build(period)["sections"]["members"]
    k = by_name(section, "Keramasan")
    # Active members: h1 (5) + h2 (3) + h3 (1); removed this month: the 80-year-old and h4's member.
    assert (k["active"], k["new"], k["removed"]) == (9, 5, 2)
    assert (k["male"], k["female"]) == (5, 4)
    assert [k[key] for key in ("age_0_6", "age_7_12", "age_13_15", "age_16_18", "age_19_59", "age_60")] == [
        0,
        2,
        1,
        1,
        4,
        1,
    ]
    assert {key: k[key] for key in ("edu_1", "edu_2", "edu_3", "edu_4", "edu_5", "edu_8", "edu_none")} == {
        "edu_1": 1,
        "edu_2": 2,
        "edu_3": 2,
        "edu_4": 1,
        "edu_5": 1,
        "edu_8": 1,
        "edu_none": 1,
    }
    assert (k["disabled"], k["dis_1"], k["dis_2"]) == (1, 1, 0)
    km = by_name(section, "Kemang Agung")
    assert (km["active"], km["male"], km["female"], km["age_0_6"], km["age_19_59"]) == (2, 1, 1, 1, 1)
    assert section["total"]["active"] == 11


def test_education_challenge_school_age_not_in_school_and_adults_without_primary(registry, period):
    section = build(period)["sections"]["members"]
    k = by_name(section, "Keramasan")
    # School age 7–18: the 10-year-old (in school), 15 (no longer), 17 (not recorded), 7 (never).
    assert (k["school_age"], k["school_in"], k["school_not"], k["school_unknown"]) == (4, 1, 2, 1)
    # Adults 19+: 40, 38 (none), 65 (primary not finished), 19, 30 -> 5, of whom 2 without primary school.
    assert (k["adults"], k["adults_no_primary"]) == (5, 2)
    km = by_name(section, "Kemang Agung")
    assert (km["school_age"], km["adults"], km["adults_no_primary"]) == (0, 1, 1)


def test_scope_to_one_kelurahan_has_only_its_row(registry, period):
    figures = build(period, kelurahan_ids=[registry["kemang_agung"].pk])
    section = figures["sections"]["households"]
    assert [row["name"] for row in section["rows"]] == ["Kemang Agung"]
    assert section["total"]["active"] == 1
    assert figures["sections"]["members"]["total"]["active"] == 2


def test_aid_coverage_multi_served_not_reached_and_per_institution(registry, period):
    start, _end = period
    keramasan = registry["keramasan"]
    h1, h2, h3, _h4, h5 = registry["households"]
    a, b = InstitutionFactory(name="LKS Amanah"), InstitutionFactory(name="Yayasan Berkah")
    round_a = DistributionRoundFactory(institution=a, period=start, status=RoundStatus.APPROVED)
    round_b = DistributionRoundFactory(institution=b, period=start, status=RoundStatus.APPROVED)
    DeliveryFactory(entitlement=EntitlementFactory(round=round_a, household=h1))
    DeliveryFactory(entitlement=EntitlementFactory(round=round_b, household=h1))  # h1 served twice
    DeliveryFactory(entitlement=EntitlementFactory(round=round_a, household=h3))  # no desil
    EntitlementFactory(round=round_b, household=h2)  # entitled, not delivered
    # Delivered three months ago: outside the 3-month window, so h5 still counts as not reached.
    old_round = DistributionRoundFactory(
        institution=a, period=(start - datetime.timedelta(days=80)).replace(day=1), status=RoundStatus.APPROVED
    )
    DeliveryFactory(entitlement=EntitlementFactory(round=old_round, household=h5))
    HouseholdFactory(kelurahan=keramasan, desil=9)  # not a target

    sections = build(period)["sections"]
    k = by_name(sections["aid_coordination"], "Keramasan")
    # Served: h1, h3. Target (desil 1–4, active): h1, h2. Target served: h1. Not reached: h2. Multi: h1.
    assert (k["served"], k["target"], k["target_served"], k["not_reached"], k["multi_served"]) == (2, 2, 1, 1, 1)
    assert k["coverage_pct"] == 50.0
    km = by_name(sections["aid_coordination"], "Kemang Agung")
    assert (km["target"], km["target_served"], km["not_reached"]) == (1, 0, 1)
    institutions = {row["name"]: row for row in sections["aid_institutions"]["rows"]}
    assert institutions["LKS Amanah"]["deliveries"] == 2
    assert institutions["Yayasan Berkah"]["deliveries"] == 1
    assert sections["aid_institutions"]["total"]["deliveries"] == 3


def test_grievances_by_category_status_and_time_to_resolve(registry, period):
    start, _end = period
    keramasan, kemang = registry["keramasan"], registry["kemang_agung"]
    GrievanceFactory(kelurahan=keramasan, category=Category.DATA_SALAH, received_on=start)
    GrievanceFactory(kelurahan=keramasan, category=Category.DATA_SALAH, received_on=start, status=Status.DIPROSES)
    GrievanceFactory(kelurahan=kemang, category=Category.MASUKAN, received_on=start)
    GrievanceFactory(kelurahan=kemang, received_on=start - datetime.timedelta(days=1))  # previous month
    section = build(period)["sections"]["grievances"]
    assert section["available"]
    assert by_name(section, "Keramasan")["total"] == 2
    assert by_name(section, "Kemang Agung")["total"] == 1
    assert section["total"]["total"] == 3
    categories = {row["key"]: row["count"] for row in section["by_category"]}
    assert categories[Category.DATA_SALAH] == 2
    assert categories[Category.MASUKAN] == 1


def test_infrastructure_projects_by_status_budget_and_overdue(registry, period):
    keramasan, kemang = registry["keramasan"], registry["kemang_agung"]
    ProjectFactory(kelurahan_served=[keramasan], budget=100_000_000, status=ProjectStatus.KONSTRUKSI)
    ProjectFactory(kelurahan_served=[keramasan, kemang], budget=50_000_000, status=ProjectStatus.USULAN)
    section = build(period)["sections"]["infrastructure"]
    assert section["available"]
    k = by_name(section, "Keramasan")
    assert (k["projects"], k["status_konstruksi"], k["status_usulan"], k["budget"]) == (2, 1, 1, 150_000_000)
    # Planned end 31-08-2025 has passed and construction is still open: overdue.
    assert k["overdue"] == 1
    assert by_name(section, "Kemang Agung")["projects"] == 1
    # The shared project is counted once for the kecamatan.
    assert (section["total"]["projects"], section["total"]["budget"]) == (2, 150_000_000)


def test_programs_section_builds_on_an_empty_program_table(registry, period):
    section = build(period)["sections"]["programs"]
    assert section["available"]
    assert section["total"]["enrolled_new"] == 0


def test_figures_are_json_and_tables_cover_every_section(registry, period):
    import json

    figures = build(period)
    json.dumps(figures)  # stored in a JSONField: plain types only
    keys = {table.key for table in build_tables(figures)}
    assert {"keluarga", "desil", "anggota", "umur", "pendidikan", "tantangan_pendidikan", "koordinasi"} <= keys
    assert all(section["available"] for section in figures["sections"].values())


def test_coordination_report_has_only_aid_sections(registry, period):
    figures = build(period, report_type=ReportType.KOORDINASI)
    assert set(figures["sections"]) == {"aid_coordination", "aid_institutions"}


def test_builder_query_count_does_not_grow_with_rows(registry, period, django_assert_max_num_queries):
    with django_assert_max_num_queries(40) as captured:
        build(period)
    first = len(captured.captured_queries)
    for _ in range(5):
        HouseholdFactory(desil=1)
    with django_assert_max_num_queries(first):
        build(period)


def test_ages_are_counted_at_the_end_of_the_period(registry):
    # At the end of last month the 7-year-old was still 6 and the 19-year-old still 18: school age is
    # 10, 15, 17 and 18 (four), adults are 40, 38, 65 and 30.
    this_month = timezone.localdate().replace(day=1)
    end = this_month - datetime.timedelta(days=1)
    figures = builders.build(report_type=ReportType.BULANAN, period_start=end.replace(day=1), period_end=end)
    k = by_name(figures["sections"]["members"], "Keramasan")
    assert (k["school_age"], k["age_0_6"], k["adults"]) == (4, 1, 4)
    # Nobody was registered last month (everyone is either new this month or backdated 100 days).
    assert k["new"] == 0
    assert by_name(figures["sections"]["households"], "Keramasan")["new"] == 0


def test_a_section_whose_app_is_missing_is_marked_unavailable_and_the_rest_builds(registry, period, monkeypatch):
    from django.db import ProgrammingError

    from reports.builders import aid

    def missing_table(**kwargs):
        raise ProgrammingError('relation "aid_distribution_delivery" does not exist')

    monkeypatch.setattr(aid, "coordination", missing_table)
    figures = build(period)
    assert figures["sections"]["aid_coordination"]["available"] is False
    assert "ProgrammingError" in figures["sections"]["aid_coordination"]["note"]
    assert figures["sections"]["households"]["total"]["active"] == 4  # the savepoint kept the transaction usable
    assert "koordinasi" not in {table.key for table in build_tables(figures)}
