"""Registry retention: families and members deactivated more than 5 years ago are anonymised, history included."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaries import choices, services
from beneficiaries.models import Consent, Household, Member
from beneficiaries.services.retention import registry_anonymise_inactive
from core import history, retention
from core.retention import ANONYMISED
from core.tasks import anonymise_expired_records_task
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
CUTOFF = retention.cutoff("registry_inactive", now=NOW)


def _deactivated_family(actor, rt, *, removed_at, name):
    household = HouseholdFactory(kelurahan=rt.kelurahan, rt=rt, address=f"Jl. {name} No. 7", latitude=-3.01)
    head = MemberFactory(household=household, full_name=name, birth_place="Muara Enim")
    Consent.objects.create(
        household=household,
        member=head,
        consenter_name=name,
        purpose=choices.ConsentPurpose.REGISTRY,
        notice_version="2026-11",
        consented_on=datetime.date(2019, 1, 2),
    )
    services.household_deactivate(actor=actor, household=household, reason=choices.RemovalReason.MOVED_OUT, note=name)
    Household.objects.filter(pk=household.pk).update(removed_at=removed_at)
    Member.objects.filter(household=household).update(removed_at=removed_at)
    household.refresh_from_db()
    head.refresh_from_db()
    return household, head


def _history_text(obj) -> str:
    return " ".join(str(event.pgh_data) for event in history.events_for(obj))


def test_registry_families_past_retention_are_anonymised_in_rows_and_history(user_kecamatan, rt_keramasan):
    old, old_head = _deactivated_family(
        user_kecamatan, rt_keramasan, removed_at=CUTOFF - datetime.timedelta(days=1), name="Marzuki Lama"
    )
    recent, recent_head = _deactivated_family(
        user_kecamatan, rt_keramasan, removed_at=CUTOFF + datetime.timedelta(days=1), name="Hasan Baru"
    )
    old_kk, old_nik = old.kk_number, old_head.nik
    before = _history_text(old_head) + _history_text(old)
    assert all(secret in before for secret in ("Marzuki Lama", old_nik, old_kk, "1985-06-15", "Muara Enim", "-3.01"))

    assert registry_anonymise_inactive(now=NOW) == 2  # the old family and its one member

    old.refresh_from_db()
    old_head.refresh_from_db()
    assert (old.kk_number, old.address, old.house_number, old.latitude, old.removed_note) == (
        "",
        ANONYMISED,
        "",
        None,
        "",
    )
    assert old.removed_reason == choices.RemovalReason.MOVED_OUT  # why and when stay for the statistics
    assert (old_head.full_name, old_head.nik, old_head.birth_place) == (ANONYMISED, None, "")
    assert old_head.nik_missing_reason == choices.NikMissingReason.OTHER
    assert old_head.birth_date == datetime.date(1985, 1, 1)
    assert Consent.objects.get(household=old).consenter_name == ANONYMISED
    for text in (_history_text(old_head), _history_text(old), _history_text(Consent.objects.get(household=old))):
        for secret in ("Marzuki Lama", old_nik, old_kk, "1985-06-15", "Muara Enim", "-3.01"):
            assert secret not in text

    recent.refresh_from_db()
    recent_head.refresh_from_db()
    assert recent_head.full_name == "Hasan Baru"
    assert recent_head.nik
    assert recent.kk_number
    assert Consent.objects.get(household=recent).consenter_name == "Hasan Baru"
    assert "Hasan Baru" in _history_text(recent_head)


def test_registry_member_deactivated_alone_is_anonymised_and_family_kept(user_kecamatan, household_keramasan):
    wife = household_keramasan.members.get(full_name="Siti Aminah")
    services.member_deactivate(actor=user_kecamatan, member=wife, reason=choices.RemovalReason.DECEASED)
    Member.objects.filter(pk=wife.pk).update(removed_at=CUTOFF - datetime.timedelta(hours=1))

    assert registry_anonymise_inactive(now=NOW) == 1

    wife.refresh_from_db()
    household_keramasan.refresh_from_db()
    assert wife.full_name == ANONYMISED
    assert wife.birth_date == datetime.date(1988, 1, 1)
    assert household_keramasan.is_active
    assert household_keramasan.kk_number
    assert household_keramasan.address != ANONYMISED
    assert household_keramasan.members.get(full_name="Budi Santoso").nik


def test_registry_active_records_are_never_anonymised(household_keramasan):
    assert registry_anonymise_inactive(now=NOW + datetime.timedelta(days=365 * 50)) == 0


def test_registry_second_run_changes_nothing_and_adds_no_history(user_kecamatan, rt_keramasan):
    _household, head = _deactivated_family(
        user_kecamatan, rt_keramasan, removed_at=CUTOFF - datetime.timedelta(days=400), name="Sulaiman"
    )
    assert registry_anonymise_inactive(now=NOW) == 2
    events = history.events_for(head).count()
    assert registry_anonymise_inactive(now=NOW) == 0
    assert history.events_for(head).count() == events


def test_registry_anonymised_family_pages_still_work(client_for, user_kecamatan, rt_keramasan):
    household, head = _deactivated_family(
        user_kecamatan, rt_keramasan, removed_at=timezone.now() - datetime.timedelta(days=6 * 366), name="Zainal Abidin"
    )
    result = anonymise_expired_records_task.delay().get()
    assert result["registry_inactive"] == 2

    client = client_for(user_kecamatan)
    detail = client.get(reverse("beneficiaries:household_detail", args=[household.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert ANONYMISED in page
    assert "Zainal Abidin" not in page
    listing = client.get(reverse("beneficiaries:household_list"), {"status": "inactive"})
    assert listing.status_code == 200
    assert "Zainal Abidin" not in listing.content.decode()
    reveal = client.post(reverse("beneficiaries:household_reveal", args=[household.pk]))
    assert reveal.status_code == 200
    assert head.nik not in reveal.content.decode()
