"""User-entered text renders escaped on every programs page (docs/quality.md S7)."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.models import Program
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.programs import CohortFactory
from tests.programs.conftest import enroll

NASTY = ['<script>alert("x")</script>', "\"'><img src=x onerror=alert(1)>", "javascript:alert(1)"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.sampled_from(NASTY), suffix=st.text(alphabet="abc<>\"'&", max_size=6))
@pytest.mark.django_db
def test_names_render_escaped(client_for, user_kecamatan, keramasan, payload, suffix):
    text = (payload + suffix)[:140]
    cohort = CohortFactory(venue=text, trainers=text)
    Program.objects.filter(pk=cohort.program_id).update(name=f"P{cohort.pk} {text}", description=text)
    member = MemberFactory(household=HouseholdFactory(kelurahan=keramasan), female=True, full_name=f"Siti {text}")
    enroll(cohort, member)
    client = client_for(user_kecamatan)
    for url in (
        reverse("programs:program_list"),
        reverse("programs:program_detail", args=[cohort.program_id]),
        reverse("programs:cohort_detail", args=[cohort.pk]),
    ):
        content = client.get(url).content.decode()
        assert "<script>alert" not in content, url
        assert "<img src=x" not in content, url
