"""Aid delivery by institutions rests on the family's consent (issue 22 B3): a household whose aid consent is
withdrawn cannot be added to a round."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aid_distribution import services
from aid_distribution.models import Entitlement
from beneficiaries.choices import ConsentPurpose
from beneficiaries.models import Consent
from beneficiaries.selectors import households_lacking_consent
from tests.factories.aid_distribution import DistributionRoundFactory
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)


def consent(household, *, purpose=ConsentPurpose.AID, on=DAY, withdrawn_on=None) -> Consent:
    return Consent.objects.create(
        household=household,
        consenter_name="Rohana",
        purpose=purpose,
        notice_version="2026-11",
        consented_on=on,
        withdrawn_on=withdrawn_on,
    )


def test_households_lacking_consent_reads_the_latest_record_for_the_purpose():
    never, withdrawn, renewed, later_withdrawn, same_day, other_purpose = (HouseholdFactory() for _ in range(6))
    consent(withdrawn, withdrawn_on=DAY)
    consent(renewed, withdrawn_on=DAY)
    consent(renewed, on=DAY + datetime.timedelta(days=5))
    consent(later_withdrawn, on=DAY + datetime.timedelta(days=5), withdrawn_on=DAY + datetime.timedelta(days=9))
    consent(later_withdrawn)  # older and still active: the later record decides
    consent(same_day)
    consent(same_day, withdrawn_on=DAY + datetime.timedelta(days=1))  # same day, recorded later (higher pk)
    consent(other_purpose, purpose=ConsentPurpose.SHARING, withdrawn_on=DAY)
    everyone = [h.pk for h in (never, withdrawn, renewed, later_withdrawn, same_day, other_purpose)]
    assert households_lacking_consent(household_ids=everyone, purpose=ConsentPurpose.AID) == {
        withdrawn.pk,
        later_withdrawn.pk,
        same_day.pk,
    }
    assert households_lacking_consent(household_ids=everyone, purpose=ConsentPurpose.SHARING) == {other_purpose.pk}
    assert households_lacking_consent(household_ids=[], purpose=ConsentPurpose.AID) == set()


def test_entitlements_add_refuses_households_whose_aid_consent_is_withdrawn(institution_a, worker_a):
    round_ = DistributionRoundFactory(institution=institution_a)
    agreed, refused = HouseholdFactory(), HouseholdFactory(address="Jl. Mataram")
    MemberFactory(household=refused, full_name="Sutrisno Wibowo")
    consent(agreed)
    consent(refused, withdrawn_on=DAY + datetime.timedelta(days=3))
    with pytest.raises(ValidationError) as err:
        services.entitlements_add(actor=worker_a, round_=round_, household_ids=[agreed.pk, refused.pk])
    assert err.value.code == "aid_consent_withdrawn"
    message = err.value.messages[0]
    assert message.startswith("1 keluarga sudah menarik persetujuan untuk penyaluran bantuan lembaga sosial")
    assert "Sutrisno Wibowo (Jl. Mataram)" in message
    assert not Entitlement.objects.filter(round=round_).exists()  # all or nothing
    assert services.entitlements_add(actor=worker_a, round_=round_, household_ids=[agreed.pk]) == 1


def test_entitlements_add_names_ten_and_counts_the_rest(institution_a, worker_a):
    round_ = DistributionRoundFactory(institution=institution_a)
    households = [HouseholdFactory() for _ in range(12)]
    for household in households:
        consent(household, withdrawn_on=DAY)
    with pytest.raises(ValidationError) as err:
        services.entitlements_add(actor=worker_a, round_=round_, household_ids=[h.pk for h in households])
    message = err.value.messages[0]
    assert message.startswith("12 keluarga")
    assert "dan 2 keluarga lainnya" in message


def test_target_page_marks_withdrawn_households_and_returns_there_on_refusal(client_for, worker_a, institution_a):
    round_ = DistributionRoundFactory(institution=institution_a)
    household = HouseholdFactory(desil=1)
    MemberFactory(household=household, full_name="Sutrisno Wibowo")
    consent(household, withdrawn_on=DAY)
    client = client_for(worker_a)
    url = reverse("aid_distribution:round_target", args=[round_.pk]) + "?max_desil=4"
    page = client.get(url).content.decode()
    row = page.split('data-testid="consent-withdrawn"')[1].split("</tr>")[0]
    assert "Sutrisno Wibowo" in row
    assert f'value="{household.pk}"' not in row
    response = client.post(url, {"household": [household.pk]}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "sudah menarik persetujuan" in response.content.decode()
    assert not round_.entitlements.exists()
