"""The short card code under the household card's QR (issue 22 B7): `Household.card_code`.

Existing households get their code in SQL, set-based (the registry may hold a million rows): the code is derived
from the household's own card token (10 bytes of sha256(token:salt), each read as one Crockford base32 letter),
so the backfill is deterministic. A collision keeps the code of the lowest id and derives the others again with
the next salt, until every code is unique. The history triggers are removed around the backfill: filling a new
column is not a change anyone made, and a million history rows would say otherwise; past history rows get an
empty code (there was none then).
"""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

import beneficiaries.models

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # beneficiaries.validators.CARD_CODE_ALPHABET, frozen here
LENGTH = 10


def derived_code_sql(digest: str) -> str:
    """SQL for the code read from a bytea `digest`: byte i (mod 32) picks letter i."""
    return " || ".join(f"substr('{ALPHABET}', get_byte({digest}, {i}) % 32 + 1, 1)" for i in range(LENGTH))


def _digest(salt: str) -> str:
    return f"sha256(convert_to(h.card_token || ':' || {salt}, 'UTF8'))"


FILL_SQL = (
    f"UPDATE beneficiaries_household h SET card_code = {derived_code_sql(_digest('0'))} "  # noqa: S608  # nosec B608
    "WHERE h.card_code IS NULL"
)

RESOLVE_COLLISIONS_SQL = f"""
DO $$
DECLARE
    salt integer := 0;
BEGIN
    LOOP
        salt := salt + 1;
        UPDATE beneficiaries_household h SET card_code = {derived_code_sql(_digest("salt"))}
        FROM (
            SELECT id FROM (
                SELECT id, row_number() OVER (PARTITION BY card_code ORDER BY id) AS n FROM beneficiaries_household
            ) ranked WHERE n > 1
        ) later
        WHERE h.id = later.id;
        EXIT WHEN NOT FOUND;
        IF salt > 50 THEN
            RAISE EXCEPTION 'card_code: collisions not resolved after 50 rounds';
        END IF;
    END LOOP;
END $$;
"""  # noqa: S608  # nosec B608 - constants only


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0006_import_rows_without_fk_check"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="household",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="household",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="household",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="household",
            name="card_code",
            field=models.CharField(editable=False, max_length=10, null=True, verbose_name="kode kartu keluarga"),
        ),
        migrations.RunSQL(FILL_SQL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.RunSQL(RESOLVE_COLLISIONS_SQL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AlterField(
            model_name="household",
            name="card_code",
            field=models.CharField(
                default=beneficiaries.models.new_card_code,
                editable=False,
                max_length=10,
                unique=True,
                verbose_name="kode kartu keluarga",
            ),
        ),
        migrations.AddField(
            model_name="householdevent",
            name="card_code",
            field=models.CharField(default="", editable=False, max_length=10, verbose_name="kode kartu keluarga"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="householdevent",
            name="card_code",
            field=models.CharField(
                default=beneficiaries.models.new_card_code,
                editable=False,
                max_length=10,
                verbose_name="kode kartu keluarga",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="household",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "beneficiaries_householdevent" ("address", "asset_ac", "asset_bicycle", "asset_boat", "asset_car", "asset_computer", "asset_fridge", "asset_gold_grams", "asset_land_ha", "asset_landline", "asset_large_livestock", "asset_lpg_5kg", "asset_motorbike", "asset_motorboat", "asset_other_house", "asset_small_livestock", "asset_smartphone", "asset_tv", "asset_water_heater", "card_code", "card_token", "cooking_fuel", "created_at", "created_by_id", "desil", "drinking_water", "faeces_disposal", "families_in_house", "floor_area_m2", "floor_material", "home_ownership", "house_number", "id", "installed_power", "is_active", "is_in_dtks", "is_in_dtsen", "kelurahan_id", "kk_number", "land_proof", "latitude", "lighting", "longitude", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "removed_at", "removed_note", "removed_reason", "roof_material", "rt_id", "toilet_facility", "toilet_type", "updated_at", "wall_material", "welfare_as_of", "welfare_source") VALUES (NEW."address", NEW."asset_ac", NEW."asset_bicycle", NEW."asset_boat", NEW."asset_car", NEW."asset_computer", NEW."asset_fridge", NEW."asset_gold_grams", NEW."asset_land_ha", NEW."asset_landline", NEW."asset_large_livestock", NEW."asset_lpg_5kg", NEW."asset_motorbike", NEW."asset_motorboat", NEW."asset_other_house", NEW."asset_small_livestock", NEW."asset_smartphone", NEW."asset_tv", NEW."asset_water_heater", NEW."card_code", NEW."card_token", NEW."cooking_fuel", NEW."created_at", NEW."created_by_id", NEW."desil", NEW."drinking_water", NEW."faeces_disposal", NEW."families_in_house", NEW."floor_area_m2", NEW."floor_material", NEW."home_ownership", NEW."house_number", NEW."id", NEW."installed_power", NEW."is_active", NEW."is_in_dtks", NEW."is_in_dtsen", NEW."kelurahan_id", NEW."kk_number", NEW."land_proof", NEW."latitude", NEW."lighting", NEW."longitude", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."removed_at", NEW."removed_note", NEW."removed_reason", NEW."roof_material", NEW."rt_id", NEW."toilet_facility", NEW."toilet_type", NEW."updated_at", NEW."wall_material", NEW."welfare_as_of", NEW."welfare_source"); RETURN NULL;',
                    hash="7e000afac5bbf2c551a3dbb36e3076dbd64a1182",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_b0966",
                    table="beneficiaries_household",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="household",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "beneficiaries_householdevent" ("address", "asset_ac", "asset_bicycle", "asset_boat", "asset_car", "asset_computer", "asset_fridge", "asset_gold_grams", "asset_land_ha", "asset_landline", "asset_large_livestock", "asset_lpg_5kg", "asset_motorbike", "asset_motorboat", "asset_other_house", "asset_small_livestock", "asset_smartphone", "asset_tv", "asset_water_heater", "card_code", "card_token", "cooking_fuel", "created_at", "created_by_id", "desil", "drinking_water", "faeces_disposal", "families_in_house", "floor_area_m2", "floor_material", "home_ownership", "house_number", "id", "installed_power", "is_active", "is_in_dtks", "is_in_dtsen", "kelurahan_id", "kk_number", "land_proof", "latitude", "lighting", "longitude", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "removed_at", "removed_note", "removed_reason", "roof_material", "rt_id", "toilet_facility", "toilet_type", "updated_at", "wall_material", "welfare_as_of", "welfare_source") VALUES (NEW."address", NEW."asset_ac", NEW."asset_bicycle", NEW."asset_boat", NEW."asset_car", NEW."asset_computer", NEW."asset_fridge", NEW."asset_gold_grams", NEW."asset_land_ha", NEW."asset_landline", NEW."asset_large_livestock", NEW."asset_lpg_5kg", NEW."asset_motorbike", NEW."asset_motorboat", NEW."asset_other_house", NEW."asset_small_livestock", NEW."asset_smartphone", NEW."asset_tv", NEW."asset_water_heater", NEW."card_code", NEW."card_token", NEW."cooking_fuel", NEW."created_at", NEW."created_by_id", NEW."desil", NEW."drinking_water", NEW."faeces_disposal", NEW."families_in_house", NEW."floor_area_m2", NEW."floor_material", NEW."home_ownership", NEW."house_number", NEW."id", NEW."installed_power", NEW."is_active", NEW."is_in_dtks", NEW."is_in_dtsen", NEW."kelurahan_id", NEW."kk_number", NEW."land_proof", NEW."latitude", NEW."lighting", NEW."longitude", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."removed_at", NEW."removed_note", NEW."removed_reason", NEW."roof_material", NEW."rt_id", NEW."toilet_facility", NEW."toilet_type", NEW."updated_at", NEW."wall_material", NEW."welfare_as_of", NEW."welfare_source"); RETURN NULL;',
                    hash="7b05740831d086e9c1202e86b7a23e416ae87027",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_b7683",
                    table="beneficiaries_household",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="household",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "beneficiaries_householdevent" ("address", "asset_ac", "asset_bicycle", "asset_boat", "asset_car", "asset_computer", "asset_fridge", "asset_gold_grams", "asset_land_ha", "asset_landline", "asset_large_livestock", "asset_lpg_5kg", "asset_motorbike", "asset_motorboat", "asset_other_house", "asset_small_livestock", "asset_smartphone", "asset_tv", "asset_water_heater", "card_code", "card_token", "cooking_fuel", "created_at", "created_by_id", "desil", "drinking_water", "faeces_disposal", "families_in_house", "floor_area_m2", "floor_material", "home_ownership", "house_number", "id", "installed_power", "is_active", "is_in_dtks", "is_in_dtsen", "kelurahan_id", "kk_number", "land_proof", "latitude", "lighting", "longitude", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "removed_at", "removed_note", "removed_reason", "roof_material", "rt_id", "toilet_facility", "toilet_type", "updated_at", "wall_material", "welfare_as_of", "welfare_source") VALUES (OLD."address", OLD."asset_ac", OLD."asset_bicycle", OLD."asset_boat", OLD."asset_car", OLD."asset_computer", OLD."asset_fridge", OLD."asset_gold_grams", OLD."asset_land_ha", OLD."asset_landline", OLD."asset_large_livestock", OLD."asset_lpg_5kg", OLD."asset_motorbike", OLD."asset_motorboat", OLD."asset_other_house", OLD."asset_small_livestock", OLD."asset_smartphone", OLD."asset_tv", OLD."asset_water_heater", OLD."card_code", OLD."card_token", OLD."cooking_fuel", OLD."created_at", OLD."created_by_id", OLD."desil", OLD."drinking_water", OLD."faeces_disposal", OLD."families_in_house", OLD."floor_area_m2", OLD."floor_material", OLD."home_ownership", OLD."house_number", OLD."id", OLD."installed_power", OLD."is_active", OLD."is_in_dtks", OLD."is_in_dtsen", OLD."kelurahan_id", OLD."kk_number", OLD."land_proof", OLD."latitude", OLD."lighting", OLD."longitude", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."removed_at", OLD."removed_note", OLD."removed_reason", OLD."roof_material", OLD."rt_id", OLD."toilet_facility", OLD."toilet_type", OLD."updated_at", OLD."wall_material", OLD."welfare_as_of", OLD."welfare_source"); RETURN NULL;',
                    hash="22e28ba8d90576034818f0513933570a8ca8bd51",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_8bd49",
                    table="beneficiaries_household",
                    when="AFTER",
                ),
            ),
        ),
    ]
