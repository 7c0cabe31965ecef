"""Role × scope matrix for every programs URL that takes an object id (docs/quality.md S2).

A new URL pattern in programs/urls.py with an argument and no entry here makes this test fail.
"""

import datetime

import pytest
from django.urls import get_resolver, reverse

from programs import services
from programs.models import Enrollment, EnrollmentStatus, GroupEnterprise, GroupMembership
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.programs.conftest import enroll

NAME = "Siti Khadijah Rahayu"

#: url name -> (method, function(world) -> kwargs, status for Staf Kelurahan of another kelurahan)
MATRIX = {
    "program_detail": ("get", lambda w: {"pk": w["program"].pk}, 200),
    "program_update": ("get", lambda w: {"pk": w["program"].pk}, 403),
    "cohort_create": ("get", lambda w: {"program_pk": w["program"].pk}, 403),
    "cohort_detail": ("get", lambda w: {"pk": w["cohort"].pk}, 200),
    "cohort_update": ("get", lambda w: {"pk": w["cohort"].pk}, 403),
    "cohort_transition": ("post", lambda w: {"pk": w["cohort"].pk}, 403),
    "cohort_rule": ("get", lambda w: {"pk": w["cohort"].pk}, 403),
    "candidate_list": ("get", lambda w: {"pk": w["cohort"].pk}, 200),
    "enrollment_create": ("post", lambda w: {"pk": w["cohort"].pk}, 302),
    "cohort_complete": ("post", lambda w: {"pk": w["cohort"].pk}, 403),
    "session_create": ("post", lambda w: {"pk": w["cohort"].pk}, 403),
    "attendance": ("get", lambda w: {"pk": w["session"].pk}, 200),
    "enrollment_action": ("post", lambda w: {"pk": w["enrollment"].pk}, 404),
    "certificate_download": ("get", lambda w: {"pk": w["enrollment"].pk}, 404),
    "certificate_verify": ("get", lambda w: {"code": w["enrollment"].certificate_code}, 200),
    "outcome_create": ("get", lambda w: {"pk": w["follow_up"].pk}, 404),
    "enterprise_detail": ("get", lambda w: {"pk": w["enterprise"].pk}, 404),
}
PUBLIC = {"certificate_verify"}


def programs_urls_with_arguments() -> set[str]:
    resolver = get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "programs":
            names.update(p.name for p in pattern.url_patterns if p.pattern.regex.groups)
    return names


def test_every_programs_url_with_an_id_is_in_the_matrix():
    assert programs_urls_with_arguments() - set(MATRIX) == set()


@pytest.fixture
def world(running_cohort, keramasan):
    member = MemberFactory(household=HouseholdFactory(kelurahan=keramasan), female=True, full_name=NAME)
    enrollment = enroll(running_cohort, member)
    services.cohort_transition(actor=None, cohort=running_cohort, action="start")
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    for session in running_cohort.sessions.filter(held_on__lte=datetime.date.today()):
        services.attendance_record(actor=None, session=session, present_ids=[enrollment.pk])
    enrollment = services.enrollment_transition(actor=None, enrollment=enrollment, action="complete")
    enterprise = GroupEnterprise.objects.create(
        name="Kelompok Jahit Keramasan",
        kelurahan=keramasan,
        business_kind="jahit",
        founded_on=datetime.date(2025, 1, 1),
    )
    GroupMembership.objects.create(enterprise=enterprise, member=member, joined_on=datetime.date(2025, 1, 1))
    return {
        "program": running_cohort.program,
        "cohort": running_cohort,
        "session": running_cohort.sessions.first(),
        "enrollment": enrollment,
        "follow_up": enrollment.follow_ups.get(months_after=6),
        "enterprise": enterprise,
    }


def _call(client, name, world):
    method, kwargs, _status = MATRIX[name]
    url = reverse(f"programs:{name}", kwargs=kwargs(world))
    return client.post(url, {"action": "drop", "reason": "x"}) if method == "post" else client.get(url)


@pytest.mark.django_db
def test_lembaga_and_pimpinan_reach_no_object(client_for, user_lembaga, user_pimpinan, world):
    for user in (user_lembaga, user_pimpinan):
        client = client_for(user)
        for name in MATRIX:
            response = _call(client, name, world)
            expected = 200 if name in PUBLIC else 403
            assert response.status_code == expected, (user.role, name, response.status_code)
            assert NAME not in response.content.decode(), (user.role, name)


@pytest.mark.django_db
def test_other_kelurahan_sees_no_personal_data(client_for, user_kelurahan_other, world):
    client = client_for(user_kelurahan_other)
    for name, (_method, _kwargs, expected) in MATRIX.items():
        response = _call(client, name, world)
        assert response.status_code == expected, (name, response.status_code)
        assert NAME not in response.content.decode(), name
    assert Enrollment.objects.get(pk=world["enrollment"].pk).status == EnrollmentStatus.COMPLETED


@pytest.mark.django_db
def test_own_kelurahan_reaches_its_resident(client_for, user_kelurahan, world):
    client = client_for(user_kelurahan)
    for name in ("cohort_detail", "attendance", "certificate_download", "outcome_create", "enterprise_detail"):
        response = _call(client, name, world)
        assert response.status_code == 200, name
    assert NAME in _call(client, "cohort_detail", world).content.decode()
