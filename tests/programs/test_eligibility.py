"""The rule evaluated in SQL equals the same rule evaluated in Python over the same members (property test)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beneficiaries.models import Member
from core.models import Kelurahan
from programs import eligibility, selectors
from programs.models import PARTICIPATING_STATUSES, CohortStatus, Enrollment, EnrollmentStatus
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.programs import CohortFactory, ProgramFactory

REF = datetime.date(2026, 3, 1)

conditions = st.one_of(
    st.builds(
        lambda lo, span: {"type": "age", "min": lo, "max": lo + span},
        st.integers(0, 70),
        st.integers(0, 40),
    ),
    st.builds(lambda lo: {"type": "age", "min": lo}, st.integers(0, 90)),
    st.builds(lambda hi: {"type": "age", "max": hi}, st.integers(0, 90)),
    st.builds(lambda v: {"type": "sex", "value": v}, st.sampled_from([1, 2])),
    st.builds(lambda v: {"type": "desil_max", "value": v}, st.integers(1, 10)),
    st.builds(
        lambda lo, hi: {"type": "education", "min": min(lo, hi), "max": max(lo, hi)},
        st.integers(1, 10),
        st.integers(1, 10),
    ),
    st.just({"type": "not_graduate"}),
    st.just({"type": "household_not_in_program"}),
)
rules = st.builds(
    lambda combinator, conds: {"combinator": combinator, "conditions": conds},
    st.sampled_from(["and", "or"]),
    st.lists(conditions, max_size=4),
)
kelurahan_rules = st.builds(
    lambda combinator, conds, k: {"combinator": combinator, "conditions": [*conds, {"type": "kelurahan", "values": k}]},
    st.sampled_from(["and", "or"]),
    st.lists(conditions, max_size=2),
    st.lists(st.sampled_from([0, 1, 2]), min_size=1, max_size=2, unique=True),
)


@pytest.fixture
def population(db):
    """A varied registry: ages around the boundaries (birthdays on the reference date), both sexes, desil 1–10 and
    unknown, education unknown and 1–10, graduates and households already in the program."""
    program = ProgramFactory()
    previous = CohortFactory(program=program, status=CohortStatus.FINISHED)
    current = CohortFactory(program=program, status=CohortStatus.OPEN, starts_on=REF)
    kelurahan = list(Kelurahan.objects.order_by("pk")[:3])
    members = []
    for i in range(18):
        household = HouseholdFactory(kelurahan=kelurahan[i % 3], desil=None if i % 7 == 0 else 1 + i % 10)
        for j in range(2):
            age = [0, 17, 18, 25, 45, 46, 60, 80][(i + j) % 8]
            birth = REF.replace(year=REF.year - age) - datetime.timedelta(days=[0, 1, -1][(i + j) % 3])
            members.append(
                MemberFactory(
                    household=household,
                    female=(i + j) % 2 == 0,
                    birth_date=birth,
                    education=None if (i + j) % 5 == 0 else 1 + (i * 3 + j) % 10,
                )
            )
    # Graduates of the program (their housemates are "in the program"), and one dropped-out participation.
    for member in members[0:6:2]:
        Enrollment.objects.create(
            cohort=previous,
            program=program,
            member=member,
            status=EnrollmentStatus.COMPLETED,
            completed_on=REF,
            certificate_code=f"C{member.pk:011d}",
        )
    Enrollment.objects.create(cohort=previous, program=program, member=members[10], status=EnrollmentStatus.DROPPED)
    return {"program": program, "cohort": current, "members": members, "kelurahan": kelurahan}


def python_facts(program) -> dict:
    """Facts per member computed in Python from the rows, independently of the SQL."""
    members = list(Member.objects.select_related("household"))
    enrollments = list(Enrollment.objects.filter(program=program))
    graduates = {e.member_id for e in enrollments if e.status == EnrollmentStatus.COMPLETED}
    household_of = {m.pk: m.household_id for m in members}
    participating = [e for e in enrollments if e.status in PARTICIPATING_STATUSES]
    return {
        m.pk: {
            "birth_date": m.birth_date,
            "sex": m.sex,
            "desil": m.household.desil,
            "kelurahan_id": m.household.kelurahan_id,
            "education": m.education,
            "is_graduate": m.pk in graduates,
            "household_in_program": any(
                household_of[e.member_id] == m.household_id and e.member_id != m.pk for e in participating
            ),
        }
        for m in members
    }


def check(rule, population):
    cohort = population["cohort"]
    cohort.eligibility_rule = rule
    if "facts" not in population:
        population["facts"] = python_facts(population["program"])
    sql = set(eligibility.eligible_members(Member.objects.all(), cohort=cohort).values_list("pk", flat=True))
    python = {
        pk
        for pk, facts in population["facts"].items()
        if eligibility.evaluate_python(rule, facts=facts, ref_date=cohort.starts_on)
    }
    assert sql == python, rule
    if "admin" in population:
        # The same rule as a boolean column (member search with override) agrees too.
        flagged = selectors.member_search_for_cohort(user=population["admin"], cohort=cohort, query="")
        assert {pk for pk, ok in flagged.values_list("pk", "is_eligible") if ok} == sql, rule


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=rules)
def test_eligibility_sql_equals_python(population, user_admin, rule):
    population["admin"] = user_admin
    check(rule, population)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=kelurahan_rules)
def test_eligibility_sql_equals_python_with_kelurahan(population, rule):
    ids = [population["kelurahan"][i].pk for i in rule["conditions"][-1]["values"]]
    rule["conditions"][-1]["values"] = ids
    check(rule, population)


def test_eligibility_age_boundary_is_birthday_inclusive(population):
    rule = {"combinator": "and", "conditions": [{"type": "age", "min": 18, "max": 18}]}
    population["cohort"].eligibility_rule = rule
    ages = {
        REF.year - m.birth_date.year - ((REF.month, REF.day) < (m.birth_date.month, m.birth_date.day))
        for m in eligibility.eligible_members(Member.objects.all(), cohort=population["cohort"])
    }
    assert ages == {18}


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"combinator": "xor", "conditions": []}, "DAN atau ATAU"),
        ({"conditions": [{"type": "warna"}]}, "Syarat 1: jenis syarat tidak dikenal"),
        ({"conditions": [{"type": "age"}]}, "Syarat 1: isi batas bawah atau batas atas"),
        ({"conditions": [{"type": "age", "min": 50, "max": 20}]}, "batas bawah lebih besar"),
        ({"conditions": [{"type": "desil_max", "value": 11}]}, "harus antara 1 dan 10"),
        ({"conditions": [{"type": "sex", "value": 3}]}, "pilih jenis kelamin"),
        ({"conditions": [{"type": "kelurahan", "values": []}]}, "paling sedikit satu kelurahan"),
        ({"conditions": [{"type": "age", "min": "18"}]}, "bilangan bulat"),
    ],
)
def test_validate_rule_refuses_bad_rules_in_indonesian(rule, message):
    with pytest.raises(ValidationError, match=message):
        eligibility.validate_rule(rule)


def test_describe_rule_in_indonesian(keramasan):
    lines = eligibility.describe(
        {
            "combinator": "and",
            "conditions": [
                {"type": "age", "min": 18, "max": 45},
                {"type": "sex", "value": 2},
                {"type": "desil_max", "value": 4},
                {"type": "kelurahan", "values": [keramasan.pk]},
            ],
        }
    )
    assert lines == ["Umur 18–45 tahun", "Jenis kelamin: Perempuan", "Desil paling tinggi 4", "Kelurahan: Keramasan"]
