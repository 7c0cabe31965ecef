import io

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from beneficiaries import choices
from beneficiaries.exporting import neutralise
from core.models import AuditEvent as AccessEvent

pytestmark = pytest.mark.django_db

EXPORT = reverse("beneficiaries:household_export")


@given(st.text())
def test_neutralise_never_leaves_a_formula_prefix(text):
    result = neutralise(text)
    assert not str(result).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert str(result).endswith(text)


def test_csv_export_is_streamed_masked_neutralised_and_logged(client_for, user_kelurahan, household_keramasan):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    head.full_name = '=HYPERLINK("http://x","klik")'
    head.save()
    household_keramasan.address = "+62 Jl. Rumus"
    household_keramasan.save()
    response = client_for(user_kelurahan).post(EXPORT, {"format": "csv", "status": "active"})
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert head.nik not in body
    assert head.nik[:4] + "********" + head.nik[-4:] in body
    assert "'=HYPERLINK" in body
    assert "'+62 Jl. Rumus" in body
    event = AccessEvent.objects.get(action="export")
    assert "tersamar" in event.detail["keterangan"]


def test_xlsx_export_reveals_only_with_permission(client_for, user_kecamatan, household_keramasan):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    response = client_for(user_kecamatan).post(EXPORT, {"format": "xlsx", "reveal": "on"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "no_kk"  # the import template's header (B5), was "Nomor KK"
    assert head.nik in [r[rows[0].index("nik")] for r in rows[1:]]
    assert "lengkap" in AccessEvent.objects.get(action="export").detail["keterangan"]


def test_export_refused_without_permission(client_for, user_pimpinan):
    assert client_for(user_pimpinan).post(EXPORT, {"format": "csv"}).status_code == 403
    assert not AccessEvent.objects.filter(action="export").exists()
