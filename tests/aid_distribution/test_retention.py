"""Aid retention: support-case content (5 years after closing, child at least 21) and handover photos (2 years)."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from aid_distribution.models import Delivery, DistributionRound, RoundStatus, SupportCase, SupportCaseStatus
from aid_distribution.services.retention import delivery_photos_delete_expired, support_cases_anonymise_expired
from core import history, retention
from core.retention import ANONYMISED
from tests.factories.aid_distribution import (
    DeliveryFactory,
    DistributionRoundFactory,
    EntitlementFactory,
    SupportCaseFactory,
    SupportSessionFactory,
    worker_of,
)
from tests.factories.beneficiaries import MemberFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate(NOW)
CLOSED_CUTOFF = timezone.localdate(retention.cutoff("support_case_closed", now=NOW))
TWENTY_ONE_YEARS_AGO = retention.years_before(TODAY, 21)


def _closed_case(*, closed_on, birth_date, guardian="Rohana binti Ahmad", notes="Anak takut pulang ke rumah."):
    case = SupportCaseFactory(
        member=MemberFactory(birth_date=birth_date),
        opened_on=closed_on - datetime.timedelta(days=90),
        consent_on=closed_on - datetime.timedelta(days=95),
        guardian_name=guardian,
        reason_over_18="Masih sekolah",
    )
    SupportSessionFactory(case=case, held_on=closed_on - datetime.timedelta(days=30), notes=notes)
    SupportCase.objects.filter(pk=case.pk).update(status=SupportCaseStatus.CLOSED, closed_on=closed_on)
    case.refresh_from_db()
    return case


def test_support_case_past_both_limits_loses_its_content_also_in_history():
    old_adult = _closed_case(
        closed_on=CLOSED_CUTOFF - datetime.timedelta(days=1), birth_date=TWENTY_ONE_YEARS_AGO, guardian="Wali Lama"
    )
    assert "Wali Lama" in str([e.pgh_data for e in history.events_for(old_adult)])

    assert support_cases_anonymise_expired(now=NOW) == 1

    old_adult.refresh_from_db()
    assert (old_adult.guardian_name, old_adult.guardian_relation, old_adult.reason_over_18) == (
        ANONYMISED,
        ANONYMISED,
        "",
    )
    assert [s.notes for s in old_adult.sessions.all()] == [""]
    assert old_adult.status == SupportCaseStatus.CLOSED
    assert old_adult.member_id  # still counted in reports
    assert "Wali Lama" not in str([e.pgh_data for e in history.events_for(old_adult)])


def test_support_case_kept_while_inside_either_limit():
    just_inside = _closed_case(closed_on=CLOSED_CUTOFF, birth_date=datetime.date(1990, 1, 1))
    child_not_21 = _closed_case(
        closed_on=CLOSED_CUTOFF - datetime.timedelta(days=400),
        birth_date=TWENTY_ONE_YEARS_AGO + datetime.timedelta(days=1),
    )
    still_open = _closed_case(
        closed_on=CLOSED_CUTOFF - datetime.timedelta(days=400), birth_date=datetime.date(1990, 1, 1)
    )
    SupportCase.objects.filter(pk=still_open.pk).update(status=SupportCaseStatus.REFERRED)

    assert support_cases_anonymise_expired(now=NOW) == 0

    for case in (just_inside, child_not_21, still_open):
        case.refresh_from_db()
        assert case.guardian_name == "Rohana binti Ahmad"
        assert case.sessions.get().notes == "Anak takut pulang ke rumah."


def test_support_case_second_run_changes_nothing():
    case = _closed_case(closed_on=CLOSED_CUTOFF - datetime.timedelta(days=10), birth_date=datetime.date(1995, 5, 5))
    assert support_cases_anonymise_expired(now=NOW) == 1
    events = history.events_for(case).count()
    assert support_cases_anonymise_expired(now=NOW) == 0
    assert history.events_for(case).count() == events


def test_support_case_anonymised_page_still_works_for_its_counsellor(client_for):
    case = _closed_case(
        closed_on=CLOSED_CUTOFF - datetime.timedelta(days=10),
        birth_date=datetime.date(1995, 5, 5),
        guardian="Wali Zyxw",
    )
    counsellor = worker_of(case.institution, counsellor=True)
    case.counsellors.set([counsellor.institution_memberships.get()])
    support_cases_anonymise_expired(now=NOW)

    response = client_for(counsellor).get(reverse("aid_distribution:supportcase_detail", args=[case.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert ANONYMISED in page
    assert "Wali Zyxw" not in page
    assert "Anak takut" not in page


# --- Handover photos -------------------------------------------------------------------------------------------


def _jpeg() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 120, 40)).save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue())


def _delivery_with_photo(*, round_closed_at):
    round_ = DistributionRoundFactory(status=RoundStatus.CLOSED, closed_at=round_closed_at)
    delivery = DeliveryFactory(entitlement=EntitlementFactory(round=round_))
    delivery.photo.save(f"{delivery.client_uuid}.jpg", _jpeg(), save=False)
    delivery.save(update_fields=["photo"])
    return delivery


def _history_photos(delivery) -> list[str]:
    return [e.pgh_data.get("photo") for e in history.events_for(delivery) if e.pgh_data.get("photo")]


def test_delivery_photos_of_rounds_closed_past_retention_are_deleted_also_from_history():
    cutoff = retention.cutoff("delivery_photo", now=NOW)
    old = _delivery_with_photo(round_closed_at=cutoff - datetime.timedelta(minutes=5))
    recent = _delivery_with_photo(round_closed_at=cutoff + datetime.timedelta(minutes=5))
    old_name, recent_name = old.photo.name, recent.photo.name
    assert default_storage.exists(old_name)
    assert _history_photos(old) == [old_name]

    assert delivery_photos_delete_expired(now=NOW) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.photo
    assert not default_storage.exists(old_name)
    assert _history_photos(old) == []
    assert recent.photo.name == recent_name
    assert default_storage.exists(recent_name)
    assert _history_photos(recent) == [recent_name]
    default_storage.delete(recent_name)


def test_delivery_photos_of_open_rounds_are_kept_and_second_run_changes_nothing():
    cutoff = retention.cutoff("delivery_photo", now=NOW)
    old = _delivery_with_photo(round_closed_at=cutoff - datetime.timedelta(days=30))
    reopened = _delivery_with_photo(round_closed_at=cutoff - datetime.timedelta(days=30))
    DistributionRound.objects.filter(pk=reopened.entitlement.round_id).update(status=RoundStatus.DISTRIBUTING)

    assert delivery_photos_delete_expired(now=NOW) == 1
    assert delivery_photos_delete_expired(now=NOW) == 0
    assert not Delivery.objects.get(pk=old.pk).photo
    assert Delivery.objects.get(pk=reopened.pk).photo
    default_storage.delete(reopened.photo.name)
