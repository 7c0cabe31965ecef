"""B2: the data-subject copy (UU PDP Pasal 32) includes the consent recorded for the whole household."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from beneficiaries import choices, exporting
from beneficiaries.models import Consent

pytestmark = pytest.mark.django_db


def consent(household, *, member=None, purpose=choices.ConsentPurpose.REGISTRY, name="Budi Santoso", **extra):
    return Consent.objects.create(
        household=household,
        member=member,
        consenter_name=name,
        purpose=purpose,
        notice_version="2026-11",
        consented_on=datetime.date(2026, 1, 5),
        **extra,
    )


def test_subject_copy_lists_household_consent_and_own_consent_not_another_members(household_keramasan):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    wife = household_keramasan.members.get(relationship=choices.Relationship.WIFE)
    consent(household_keramasan, purpose=choices.ConsentPurpose.SHARING, withdrawn_on=datetime.date(2026, 2, 1))
    consent(household_keramasan, member=wife, purpose=choices.ConsentPurpose.PROGRAM, name="Siti Aminah")
    consent(household_keramasan, member=head, purpose=choices.ConsentPurpose.AID)

    record = exporting.subject_record(wife)
    listed = {(c["tujuan"], c["berlaku_untuk"]) for c in record["persetujuan"]}
    assert listed == {
        (str(choices.ConsentPurpose.SHARING.label), "seluruh keluarga"),  # member empty: about her too
        (str(choices.ConsentPurpose.PROGRAM.label), "anggota ini"),
    }
    household_wide = next(c for c in record["persetujuan"] if c["berlaku_untuk"] == "seluruh keluarga")
    assert household_wide["ditarik"] == "2026-02-01"
    assert household_wide["pemberi_persetujuan"] == "Budi Santoso"


def test_subject_copy_xlsx_has_the_household_consent(client_for, user_kecamatan, household_keramasan):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    consent(household_keramasan)
    response = client_for(user_kecamatan).post(
        reverse("beneficiaries:member_subject_request", args=[head.pk]), {"format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["persetujuan"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in rows] == [(str(choices.ConsentPurpose.REGISTRY.label), "seluruh keluarga")]
