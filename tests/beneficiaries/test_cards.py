"""Household card codes (issue 22 B7): the short code under the QR, its migration backfill, the set-based inserts
that fill it, and reissuing a lost card (new token and code, the old ones refused, audited)."""

import hashlib
import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from beneficiaries import exporting, services
from beneficiaries.models import Household, Member, new_card_code
from beneficiaries.services import importing
from beneficiaries.validators import CARD_CODE_ALPHABET, card_code_display, card_code_normalise
from core.models import AuditAction, AuditEvent
from tests.beneficiaries.test_importing import csv_bytes, row, run
from tests.factories.beneficiaries import HouseholdFactory, make_kk

pytestmark = pytest.mark.django_db

migration = importlib.import_module("beneficiaries.migrations.0007_household_card_code")


# --- The code itself -------------------------------------------------------------------------------------


def test_card_code_is_ten_crockford_letters_and_every_household_gets_its_own():
    codes = {new_card_code() for _i in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 10 and set(c) <= set(CARD_CODE_ALPHABET) for c in codes)
    assert not set("ILOU") & set(CARD_CODE_ALPHABET)
    first, second = HouseholdFactory(), HouseholdFactory()
    assert first.card_code
    assert second.card_code
    assert first.card_code != second.card_code


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ABCDE-12345", "ABCDE12345"),
        ("abcde 12345", "ABCDE12345"),
        (" ab-cd e1.2345 ", "ABCDE12345"),
        ("OBCDE-I2L45", "0BCDE12145"),  # O read as 0, I and L as 1, as Crockford's base32 reads them
    ],
)
def test_typed_code_ignores_case_spaces_and_dashes(typed, stored):
    assert card_code_normalise(typed) == stored


@pytest.mark.parametrize("typed", ["", None, "ABCDE-1234", "ABCDE-123456", "ABCDU-12345", "ABCDE-1234#"])
def test_text_that_cannot_be_a_code_normalises_to_nothing(typed):
    assert card_code_normalise(typed) == ""


def test_code_is_shown_in_two_groups_of_five():
    assert card_code_display("ABCDE12345") == "ABCDE-12345"
    assert card_code_display("") == ""


# --- The migration's backfill ----------------------------------------------------------------------------


def _derived(token: str, salt: int) -> str:
    digest = hashlib.sha256(f"{token}:{salt}".encode()).digest()
    return "".join(CARD_CODE_ALPHABET[digest[i] % 32] for i in range(10))


def _unconstrained_codes():
    """Inside the test's transaction only: the column as it is while the migration fills it."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks before ALTER TABLE
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'beneficiaries_household'::regclass AND contype = 'u'"
            " AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = 'beneficiaries_household'::regclass"
            " AND attname = 'card_code')]"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE beneficiaries_household DROP CONSTRAINT "{name}"')
        cursor.execute("ALTER TABLE beneficiaries_household ALTER COLUMN card_code DROP NOT NULL")
        cursor.execute("ALTER TABLE beneficiaries_household DISABLE TRIGGER USER")


def test_backfill_derives_each_code_from_its_token_set_based():
    households = [HouseholdFactory() for _i in range(3)]
    _unconstrained_codes()
    Household.objects.update(card_code=None)
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL_SQL)
        cursor.execute(migration.RESOLVE_COLLISIONS_SQL)
    for household in households:
        household.refresh_from_db()
        assert household.card_code == _derived(household.card_token, 0)


def test_backfill_collision_keeps_the_lowest_id_and_derives_the_others_again():
    first, second, third = (HouseholdFactory() for _i in range(3))
    _unconstrained_codes()
    Household.objects.filter(pk__in=[first.pk, second.pk, third.pk]).update(card_code="SAME000000")
    with connection.cursor() as cursor:
        cursor.execute(migration.RESOLVE_COLLISIONS_SQL)
    for household in (first, second, third):
        household.refresh_from_db()
    assert first.card_code == "SAME000000"
    assert second.card_code == _derived(second.card_token, 1)
    assert third.card_code == _derived(third.card_token, 1)
    assert len(set(Household.objects.values_list("card_code", flat=True))) == Household.objects.count()


# --- Set-based inserts fill it ---------------------------------------------------------------------------


def test_import_gives_each_new_household_its_own_code(user_kelurahan, rt_keramasan, rt_kemang):
    batch = run(user_kelurahan, csv_bytes([row(1), row(2, kk=make_kk(4001))]))
    assert batch.accepted_rows == 2, batch.message
    importing.import_batch_commit(actor=user_kelurahan, batch=batch)
    codes = list(Household.objects.values_list("card_code", flat=True))
    assert len(codes) == 2
    assert len(set(codes)) == 2
    assert all(card_code_normalise(code) == code for code in codes)


def test_fresh_codes_avoid_those_already_stored(monkeypatch):
    taken = HouseholdFactory().card_code
    offered = iter([taken, taken, "ZZZZZ00000", "ZZZZZ00001"])
    monkeypatch.setattr("beneficiaries.services.cards.new_card_code", lambda: next(offered))
    assert sorted(services.card_codes_new(2)) == ["ZZZZZ00000", "ZZZZZ00001"]


def test_generate_synthetic_fills_the_code():
    call_command("generate_synthetic", "--households", "20", "--seed", "3")
    codes = list(Household.objects.values_list("card_code", flat=True))
    assert len(codes) == 20
    assert len(set(codes)) == 20
    assert all(codes)


def test_subject_copy_does_not_carry_the_card_credentials(household_keramasan):
    record = exporting.subject_record(household_keramasan.members.first())
    assert "card_code" not in record["keluarga"]
    assert "card_token" not in record["keluarga"]


# --- Reissue ---------------------------------------------------------------------------------------------


def test_reissue_replaces_token_and_code_and_is_audited(user_kelurahan, household_keramasan):
    old_token, old_code = household_keramasan.card_token, household_keramasan.card_code
    household = services.household_card_reissue(
        actor=user_kelurahan, household=household_keramasan, reason="Kartu hilang saat banjir", ip="10.0.0.7"
    )
    household.refresh_from_db()
    assert household.card_token != old_token
    assert household.card_code != old_code
    assert not Household.objects.filter(card_token=old_token).exists()
    assert not Household.objects.filter(card_code=old_code).exists()
    event = AuditEvent.objects.get(action=AuditAction.CARD_REISSUE)
    assert event.actor == user_kelurahan
    assert event.ip_address == "10.0.0.7"
    assert event.object_type == "beneficiaries.Household"
    assert event.object_id == str(household.pk)
    assert event.detail == {"reason": "Kartu hilang saat banjir", "old_code": card_code_display(old_code)}


def test_reissue_needs_a_reason(user_kelurahan, household_keramasan):
    with pytest.raises(ValidationError) as info:
        services.household_card_reissue(actor=user_kelurahan, household=household_keramasan, reason="  ")
    assert info.value.error_dict["reason"][0].code == "reason_required"
    assert "Alasan penggantian kartu wajib diisi" in str(info.value)
    assert not AuditEvent.objects.filter(action=AuditAction.CARD_REISSUE).exists()


def test_reissue_refused_outside_scope_without_permission_and_for_inactive(
    user_kelurahan, user_kelurahan_other, user_lembaga, household_keramasan
):
    token = household_keramasan.card_token
    with pytest.raises(ValidationError, match="di luar wilayah tugas"):
        services.household_card_reissue(actor=user_kelurahan_other, household=household_keramasan, reason="hilang")
    with pytest.raises((ValidationError, PermissionDenied)):  # "not allowed": a Petugas Lembaga is no registry staff
        services.household_card_reissue(actor=user_lembaga, household=household_keramasan, reason="hilang")
    Household.objects.filter(pk=household_keramasan.pk).update(is_active=False, removed_reason=1)
    household_keramasan.refresh_from_db()
    with pytest.raises(ValidationError, match="nonaktif"):
        services.household_card_reissue(actor=user_kelurahan, household=household_keramasan, reason="hilang")
    household_keramasan.refresh_from_db()
    assert household_keramasan.card_token == token
    assert not AuditEvent.objects.filter(action=AuditAction.CARD_REISSUE).exists()


def test_admin_reissue_asks_the_reason_and_goes_through_the_service(client_for, user_admin, household_keramasan):
    client = client_for(user_admin)
    url = reverse("admin:beneficiaries_household_changelist")
    selected = {"action": "reissue_cards", "_selected_action": [household_keramasan.pk]}
    page = client.post(url, selected)
    assert page.status_code == 200
    assert "Alasan penggantian kartu" in page.content.decode()
    old_code = household_keramasan.card_code
    done = client.post(url, {**selected, "apply": "1", "reason": "Rusak terkena air"})
    assert done.status_code == 302
    household_keramasan.refresh_from_db()
    assert household_keramasan.card_code != old_code
    event = AuditEvent.objects.get(action=AuditAction.CARD_REISSUE)
    assert event.actor == user_admin
    assert event.detail["reason"] == "Rusak terkena air"
    assert Member.objects.filter(household=household_keramasan).count() == 2
    change = client.get(reverse("admin:beneficiaries_household_change", args=[household_keramasan.pk]))
    assert household_keramasan.card_code in change.content.decode()
