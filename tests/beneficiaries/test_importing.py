import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from beneficiaries.models import Household, ImportBatch, Member
from beneficiaries.services import importing
from tests.factories.beneficiaries import make_kk, make_nik

pytestmark = pytest.mark.django_db

HEADER = [h for h, _r, _d in importing.COLUMNS.values()]


def row(
    n,
    *,
    kk=None,
    nik=None,
    kelurahan="Keramasan",
    rt="1",
    rw="1",
    name=None,
    sex="L",
    birth="15-06-1985",
    rel="1",
    **extra,
):
    try:
        birth_date = datetime.datetime.strptime(birth, "%d-%m-%Y").date()
    except ValueError:
        birth_date = datetime.date(1985, 6, 15)
    values = {
        "no_kk": kk or make_kk(3000 + n),
        "kelurahan": kelurahan,
        "rt": rt,
        "rw": rw,
        "alamat": "Jl. Impor Lr. Uji",
        "no_rumah": str(n),
        "desil": "2",
        "nik": nik if nik is not None else make_nik(3000 + n, birth_date=birth_date, female=sex == "P"),
        "alasan_tanpa_nik": "",
        "nama_lengkap": name or f"Warga Impor {n}",
        "jenis_kelamin": sex,
        "tempat_lahir": "Palembang",
        "tanggal_lahir": birth,
        "hubungan": rel,
        "status_kawin": "Kawin",
        "agama": "Islam",
        "pendidikan": "3",
        "partisipasi_sekolah": "",
        "pekerjaan": "19",
    }
    values.update(extra)
    return [values.get(h, "") for h in HEADER]


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", bom=False, trailing_blank=0):
    lines = [delimiter.join(HEADER)] + [delimiter.join(str(v) for v in r) for r in rows]
    lines += [delimiter * (len(HEADER) - 1)] * trailing_blank
    text = "\r\n".join(lines) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def run(actor, data, name="impor.csv"):
    batch = importing.import_batch_create(actor=actor, uploaded_file=SimpleUploadedFile(name, data))
    return importing.import_batch_validate(batch_id=batch.pk)


def errors_of(batch):
    return {r.row_number: [e["message"] for e in r.errors] for r in batch.rows.filter(is_accepted=False)}


@pytest.fixture
def rts(rt_keramasan, rt_kemang):
    return rt_keramasan, rt_kemang


def test_csv_import_validates_commits_and_reimport_changes_nothing(user_kelurahan, rts):
    data = csv_bytes(
        [row(1), row(2, kk=make_kk(3001), rel="3", sex="P", birth="20-01-1990", name="Istri Impor", no_rumah="1")],
        bom=True,
        trailing_blank=3,
    )
    batch = run(user_kelurahan, data)
    assert batch.status == ImportBatch.Status.VALIDATED, batch.message
    assert (batch.accepted_rows, batch.rejected_rows) == (2, 0), errors_of(batch)
    batch = importing.import_batch_commit(actor=user_kelurahan, batch=batch)
    assert Household.objects.count() == 1 and Member.objects.count() == 2
    assert (batch.households_created, batch.members_created) == (1, 2)
    # The same file again: refused by its hash, saying it was imported already.
    with pytest.raises(ValidationError) as info:
        run(user_kelurahan, data)
    assert "sudah pernah diimpor" in info.value.messages[0]
    # The same rows in another file (semicolons, Windows-1252): nothing changes, and it says so.
    again = run(
        user_kelurahan,
        csv_bytes(
            [row(1), row(2, kk=make_kk(3001), rel="3", sex="P", birth="20-01-1990", name="Istri Impor", no_rumah="1")],
            delimiter=";",
            encoding="cp1252",
        ),
    )
    assert again.unchanged_rows == 2 and "tidak akan mengubah" in again.message
    again = importing.import_batch_commit(actor=user_kelurahan, batch=again)
    assert "Tidak ada perubahan" in again.message
    assert Household.objects.count() == 1 and Member.objects.count() == 2


def test_reimport_updates_changed_fields(user_kelurahan, rts):
    importing.import_batch_commit(actor=user_kelurahan, batch=run(user_kelurahan, csv_bytes([row(1)])))
    batch = run(user_kelurahan, csv_bytes([row(1, name="Nama Diperbaiki")]))
    assert batch.members_updated == 1
    importing.import_batch_commit(actor=user_kelurahan, batch=batch)
    assert Member.objects.get().full_name == "Nama Diperbaiki"


def test_commit_records_history_with_the_importer_and_keeps_odd_text_intact(user_kelurahan, rts):
    """Rows go in with COPY: the audit triggers still record each one with the acting user, and backslashes
    and quotes survive COPY's escaping."""
    from core.history import events_for

    odd = 'Jl. Lr. \\Ujung "Baru"'
    batch = run(user_kelurahan, csv_bytes([row(1, alamat=odd, name="Siti\\Aisyah")]))
    assert batch.accepted_rows == 1, errors_of(batch)
    importing.import_batch_commit(actor=user_kelurahan, batch=batch)
    household, member = Household.objects.get(), Member.objects.get()
    assert household.address == odd and member.full_name == "Siti\\Aisyah"
    assert household.created_by == user_kelurahan and household.card_token
    for obj in (household, member):
        (insert,) = events_for(obj)
        assert insert.pgh_label == "insert"
        assert insert.pgh_context["user"] == user_kelurahan.pk
        assert insert.pgh_context["operation"] == f"import_households:{batch.pk}"


def test_preview_counts_match_what_the_commit_does(user_kelurahan, rts):
    """The preview is counted in SQL and the commit plans in Python: both must agree, row kind by row kind."""
    first = [
        row(1),
        row(2, kk=make_kk(3001), rel="4", name="Bayi Tanpa NIK", nik="", alasan_tanpa_nik="1", birth="01-02-2025", no_rumah="1"),
        row(3),
    ]  # fmt: skip
    importing.import_batch_commit(actor=user_kelurahan, batch=run(user_kelurahan, csv_bytes(first)))
    moved = {"alamat": "Jl. Pindah Alamat", "no_rumah": "1"}
    again = [
        row(1, **moved),  # household 1 changed; its head unchanged
        row(2, kk=make_kk(3001), rel="4", name="Bayi Tanpa NIK", nik="", alasan_tanpa_nik="1", birth="01-02-2025", **moved),
        row(3, name="Nama Baru"),  # member changed
        row(4),  # new household and member
        row(5, kk=make_kk(3001), rel="4", name="Anak Baru", sex="P", birth="03-03-2015", **moved),  # new member, old KK
    ]  # fmt: skip
    batch = run(user_kelurahan, csv_bytes(again))
    preview = {
        k: getattr(batch, k)
        for k in ("households_created", "households_updated", "members_created", "members_updated", "unchanged_rows")
    }
    assert preview == {
        "households_created": 1,
        "households_updated": 1,
        "members_created": 2,
        "members_updated": 1,
        "unchanged_rows": 2,
    }, errors_of(batch)
    batch = importing.import_batch_commit(actor=user_kelurahan, batch=batch)
    assert {k: getattr(batch, k) for k in preview} == preview
    assert Member.objects.filter(full_name="Bayi Tanpa NIK").count() == 1


def test_spreadsheet_number_traps_are_rejected_with_specific_messages(user_kelurahan, rts):
    rows = [
        row(1, nik="1.67113E+15"),
        row(2, nik="167113150685001"),  # 15 digits
        row(3, nik="1671130000000001"),
    ]
    batch = run(user_kelurahan, csv_bytes(rows))
    errors = errors_of(batch)
    assert "notasi ilmiah" in errors[2][0]
    assert "16 digit" in errors[3][0]
    assert "digit 7-8" in errors[4][0]


def test_xlsx_numeric_nik_cells_are_rejected(user_kelurahan, rts):
    rows = [row(1), row(2), row(3)]
    rows[0][HEADER.index("nik")] = 1671131506850001  # Excel keeps 15 significant digits: stored ...0000
    rows[1][HEADER.index("nik")] = "1.67113E+15"  # a text cell copied from a CSV opened in Excel
    rows[2][HEADER.index("tanggal_lahir")] = datetime.datetime(1985, 6, 15)
    batch = run(user_kelurahan, xlsx_bytes(rows), name="data.xlsx")
    errors = errors_of(batch)
    assert "digit ke-16 menjadi 0" in errors[2][0]
    assert "notasi ilmiah" in errors[3][0]
    assert 4 not in errors  # a real date cell is fine


def test_duplicate_nik_in_file_and_against_registry(user_kelurahan, rts, household_keramasan):
    taken = household_keramasan.members.first().nik
    rows = [
        row(1),
        row(2, kk=make_kk(3001), nik=make_nik(3001, birth_date=datetime.date(1985, 6, 15), female=False), rel="4"),
        row(3, nik=taken),
    ]
    rows[1][HEADER.index("nik")] = rows[0][HEADER.index("nik")]
    batch = run(user_kelurahan, csv_bytes(rows))
    errors = errors_of(batch)
    assert "NIK ganda di berkas: sama dengan baris 2" in errors[3][0]
    assert "keluarga dengan nomor KK lain" in errors[4][0]


def test_dates_in_several_formats_and_bad_dates(user_kelurahan, rts):
    rows = [
        row(1, birth="15/06/1985"),
        row(2, birth="1985-06-15"),
        row(3, birth="15 Juni 1985"),
        row(4, birth="31-02-1985"),
        row(5, birth="15-06-2090"),
    ]
    errors = errors_of(run(user_kelurahan, csv_bytes(rows)))
    assert set(errors) == {5, 6}
    assert "tidak dikenali" in errors[5][0]
    assert "tidak mungkin" in errors[6][0]


def test_row_errors_name_row_and_column_and_scope_is_enforced(user_kelurahan, rts):
    rows = [
        row(1, kelurahan="Kemang Agung"),
        row(2, rt="77"),
        row(3, sex="X", rel="99"),
        row(4, rw="5"),
        row(5, kelurahan="Bukit Kecil"),
    ]
    batch = run(user_kelurahan, csv_bytes(rows))
    by_row = {r.row_number: r.errors for r in batch.rows.filter(is_accepted=False)}
    assert by_row[2][0]["column"] == "kelurahan" and "di luar wilayah tugas" in by_row[2][0]["message"]
    assert "RT 77 belum terdaftar" in by_row[3][0]["message"]
    assert {e["column"] for e in by_row[4]} == {"jenis_kelamin", "hubungan"}
    assert "bukan RW 5" in by_row[5][0]["message"]
    assert "bukan kelurahan di Kecamatan Kertapati" in by_row[6][0]["message"]


def test_missing_header_columns_fail_the_batch(user_kelurahan, rts):
    batch = run(user_kelurahan, b"nama,umur\nBudi,40\n")
    assert batch.status == ImportBatch.Status.FAILED and "no_kk" in batch.message


def test_upload_limits_checked_before_parsing(user_kelurahan, rts, monkeypatch):
    monkeypatch.setattr(importing.upload, "MAX_ROWS", 2)
    with pytest.raises(ValidationError) as info:
        run(user_kelurahan, csv_bytes([row(1), row(2), row(3)]))
    assert info.value.error_list[0].code == "too_many_rows"
    monkeypatch.setattr(importing.upload, "MAX_BYTES", 100)
    with pytest.raises(ValidationError) as info:
        run(user_kelurahan, csv_bytes([row(1)]))
    assert info.value.error_list[0].code == "too_large"


def test_type_is_checked_by_content_not_name(user_kelurahan, rts):
    with pytest.raises(ValidationError) as info:
        run(user_kelurahan, b"\x00\x01\x02binary" * 10, name="data.csv")
    assert info.value.error_list[0].code == "bad_type"
    with pytest.raises(ValidationError):
        run(user_kelurahan, b"PK\x03\x04 not really a zip", name="data.xlsx")


def test_cancel_discards_staging_rows(user_kelurahan, rts):
    batch = run(user_kelurahan, csv_bytes([row(1)]))
    importing.import_batch_transition(actor=user_kelurahan, batch=batch, action=ImportBatch.Action.CANCEL)
    assert not batch.rows.exists() and not Household.objects.exists()
    with pytest.raises(ValidationError):
        importing.import_batch_commit(actor=user_kelurahan, batch=batch)


def test_import_views_upload_progress_preview_commit(
    client_for, user_kelurahan, rts, django_capture_on_commit_callbacks
):
    client = client_for(user_kelurahan)
    template = client.get(reverse("beneficiaries:import_template"))
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert [c.value for c in sheet[1]] == HEADER
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("beneficiaries:import_list"),
            {"file": SimpleUploadedFile("x.csv", csv_bytes([row(1), row(2, nik="123", rel="4", no_rumah="1")]))},
        )
    assert response.status_code == 302  # tasks run eagerly in tests
    batch = ImportBatch.objects.get()
    detail = client.get(response.url)
    content = detail.content.decode()
    assert "NIK harus 16 digit" in content and "<code>nik</code>" in content
    progress = client.get(reverse("beneficiaries:import_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 204 and progress["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "commit"})
        client.post(response.url, {"action": "commit"})  # a double click saves once
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and Member.objects.count() == 1


def test_import_batches_are_private_to_their_uploader(client_for, user_kelurahan, user_kelurahan_other, rts):
    batch = run(user_kelurahan, csv_bytes([row(1), row(2, nik="=1+2", rel="4", no_rumah="1")]))
    for name in ("beneficiaries:import_detail", "beneficiaries:import_rejected", "beneficiaries:import_progress"):
        assert client_for(user_kelurahan_other).get(reverse(name, args=[batch.pk])).status_code == 404
    response = client_for(user_kelurahan).get(reverse("beneficiaries:import_rejected", args=[batch.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "Baris,Kolom,Masalah"
    assert "3,nik," in body


def test_import_households_command_dry_run_and_commit(tmp_path, rts, capsys):
    path = tmp_path / "keluarga.csv"
    path.write_bytes(csv_bytes([row(1), row(2, nik="1.67113E+15")]))
    call_command("import_households", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "baris 3, kolom nik" in out and "tidak ada yang disimpan" in out
    assert not Household.objects.exists()
    path.write_bytes(csv_bytes([row(1)]))
    call_command("import_households", str(path))
    assert Member.objects.count() == 1


def test_import_files_and_staged_rows_are_deleted_a_year_on(user_kelurahan, rts):
    """Retention (privacy notice `import_files`): the spreadsheet and its staged rows go; the batch record stays."""
    import datetime as dt

    from django.utils import timezone

    from beneficiaries.models import ImportRow
    from beneficiaries.services.retention import import_files_delete_expired

    old = run(user_kelurahan, csv_bytes([row(1)]))
    recent = run(user_kelurahan, csv_bytes([row(2)]))
    busy = run(user_kelurahan, csv_bytes([row(3)]))
    long_ago = timezone.now() - dt.timedelta(days=400)
    ImportBatch.objects.filter(pk__in=[old.pk, busy.pk]).update(updated_at=long_ago)
    ImportBatch.objects.filter(pk=busy.pk).update(status=ImportBatch.Status.COMMITTING)
    path = old.file.path
    assert import_files_delete_expired() == 1
    old.refresh_from_db()
    assert not old.file and not ImportRow.objects.filter(batch=old).exists()
    assert old.accepted_rows == 1 and old.original_name  # the record of the import stays
    import os

    assert not os.path.exists(path)
    assert ImportRow.objects.filter(batch=recent).exists() and ImportRow.objects.filter(batch=busy).exists()
    assert import_files_delete_expired() == 0  # a second run finds nothing left


@pytest.mark.django_db(transaction=True)
def test_staging_rows_written_from_a_second_connection_outside_a_transaction(user_kelurahan, rts, monkeypatch):
    """In the Celery task (no surrounding transaction) each chunk of staging rows is copied by a second thread on
    its own connection while the next chunk is parsed; every row arrives, and a failed COPY fails the task."""
    monkeypatch.setattr(importing.validation, "BATCH", 1)  # chunks of 5 rows: 12 rows take three COPYs
    batch = run(user_kelurahan, csv_bytes([row(n) for n in range(1, 13)]))
    assert batch.status == ImportBatch.Status.VALIDATED and batch.accepted_rows == 12, errors_of(batch)
    assert sorted(batch.rows.values_list("row_number", flat=True)) == list(range(2, 14))
    importing.import_batch_commit(actor=user_kelurahan, batch=batch)
    assert Member.objects.count() == 12

    def broken(*args, **kwargs):
        raise RuntimeError("COPY gagal")

    monkeypatch.setattr(importing.validation, "copy_tuples", broken)
    with pytest.raises(RuntimeError, match="COPY gagal"):
        run(user_kelurahan, csv_bytes([row(n) for n in range(20, 32)]))
