"""Services: status guards, progress rules, over-budget flag, photos saved all-or-nothing, delay flags."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from core.models import RT
from infrastructure import services
from infrastructure.models import InfrastructureProject, ProgressPhoto, ProgressUpdate, ProjectStatus
from tests.factories.infrastructure import ProjectFactory, image_bytes, photo_upload, walk_to

pytestmark = pytest.mark.django_db


def report(project, day, progress, spent, **kwargs):
    return services.progress_update_create(
        project=project,
        actor=None,
        reported_on=day,
        physical_progress=Decimal(progress),
        spent_cumulative=spent,
        **kwargs,
    )


def test_project_create_starts_as_proposal_with_a_timeline_entry(keramasan, kemang_agung):
    project = ProjectFactory(kelurahan_served=[keramasan, kemang_agung])
    assert project.status == ProjectStatus.USULAN
    assert set(project.kelurahan_served.values_list("name", flat=True)) == {"Keramasan", "Kemang Agung"}
    assert list(project.status_changes.values_list("to_status", flat=True)) == ["usulan"]


def test_project_create_refuses_end_before_start_naming_the_field(keramasan):
    with pytest.raises(ValidationError) as exc:
        ProjectFactory(planned_start_on=dt.date(2025, 5, 1), planned_end_on=dt.date(2025, 4, 1))
    assert "planned_end_on" in exc.value.message_dict
    assert "tidak boleh sebelum rencana mulai" in exc.value.message_dict["planned_end_on"][0]
    assert not InfrastructureProject.objects.exists()


def test_project_create_needs_a_kelurahan_and_rts_inside_it(keramasan, kemang_agung):
    with pytest.raises(ValidationError) as exc:
        services.project_create(
            actor=None, kelurahan_served=[], name="X", kind="jalan", fiscal_year=2025, funding_source="apbd_kota"
        )
    assert "kelurahan_served" in exc.value.message_dict
    rt = RT.objects.create(kelurahan=kemang_agung, number=7, rw=2)
    with pytest.raises(ValidationError) as exc:
        ProjectFactory(kelurahan_served=[keramasan], rts=[rt])
    assert "tidak berada di kelurahan yang dilayani" in exc.value.message_dict["rts"][0]
    assert not InfrastructureProject.objects.exists()


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ([[-3.0, 104.7]], "paling sedikit 2 titik"),
        ([[-3.0, 104.7], [104.7, -3.0]], "Titik ke-2"),
        ([[-3.0, 104.7], ["a", 1]], "pasangan angka"),
        ("bukan daftar", "daftar titik"),
    ],
)
def test_route_validation(keramasan, route, message):
    with pytest.raises(ValidationError) as exc:
        ProjectFactory(route=route)
    assert message in " ".join(exc.value.message_dict["route"])


def test_route_is_stored_rounded():
    project = ProjectFactory(route=[[-3.0123456789, 104.7], [-3.02, 104.71]], latitude=None, longitude=None)
    assert project.route == [[-3.012346, 104.7], [-3.02, 104.71]]


def test_coordinates_outside_indonesia_refused():
    with pytest.raises(ValidationError) as exc:
        ProjectFactory(latitude=Decimal("104.72"), longitude=Decimal("-3.01"))
    assert "tertukar" in exc.value.message_dict["latitude"][0]


def test_status_walks_the_lifecycle_and_sets_dates():
    project = walk_to(ProjectFactory(), ProjectStatus.DISERAHTERIMAKAN)
    assert project.status == ProjectStatus.DISERAHTERIMAKAN
    assert project.actual_start_on == dt.date(2025, 3, 1)
    assert project.actual_end_on == dt.date(2025, 4, 1)
    assert project.handed_over_on == dt.date(2025, 4, 1)
    assert list(project.status_changes.values_list("to_status", flat=True)) == [
        "usulan",
        "direncanakan",
        "tender",
        "konstruksi",
        "selesai",
        "diserahterimakan",
    ]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (ProjectStatus.USULAN, ProjectStatus.KONSTRUKSI),
        (ProjectStatus.USULAN, ProjectStatus.SELESAI),
        (ProjectStatus.TENDER, ProjectStatus.DIRENCANAKAN),
        (ProjectStatus.DISERAHTERIMAKAN, ProjectStatus.DIHENTIKAN),
        (ProjectStatus.DIHENTIKAN, ProjectStatus.KONSTRUKSI),
    ],
)
def test_status_refuses_skips_and_moves_back(start, target):
    project = ProjectFactory(status=start)
    with pytest.raises(ValidationError) as exc:
        services.project_transition(project=project, actor=None, to_status=target, changed_on=dt.date(2025, 6, 1))
    assert "tidak dapat diubah" in exc.value.message_dict["to_status"][0]
    project.refresh_from_db()
    assert project.status == start


def test_halting_requires_a_reason():
    project = ProjectFactory(status=ProjectStatus.TENDER)
    with pytest.raises(ValidationError) as exc:
        services.project_transition(project=project, actor=None, to_status="dihentikan", halt_reason="  ")
    assert "alasan" in exc.value.message_dict["halt_reason"][0]
    project = services.project_transition(
        project=project, actor=None, to_status="dihentikan", halt_reason="Anggaran dialihkan"
    )
    assert project.halt_reason == "Anggaran dialihkan"
    assert project.status_changes.last().note == "Anggaran dialihkan"


def test_planning_needs_dates_and_budget_and_construction_a_contractor():
    project = ProjectFactory(planned_start_on=None, planned_end_on=None, budget=0)
    with pytest.raises(ValidationError) as exc:
        services.project_transition(project=project, actor=None, to_status="direncanakan")
    assert len(exc.value.message_dict["to_status"]) == 2
    project = ProjectFactory(contractor="", contract_number="", status=ProjectStatus.TENDER)
    with pytest.raises(ValidationError) as exc:
        services.project_transition(project=project, actor=None, to_status="konstruksi")
    assert "kontraktor" in " ".join(exc.value.message_dict["to_status"])


def test_finishing_needs_progress_100():
    project = ProjectFactory(status=ProjectStatus.KONSTRUKSI)
    report(project, dt.date(2025, 4, 1), 90, 1000)
    with pytest.raises(ValidationError) as exc:
        services.project_transition(project=project, actor=None, to_status="selesai", changed_on=dt.date(2025, 5, 1))
    assert "100%" in exc.value.message_dict["to_status"][0]


def test_progress_out_of_range_refused_and_nothing_saved():
    project = ProjectFactory(status=ProjectStatus.KONSTRUKSI)
    for value in (120, -1):
        with pytest.raises(ValidationError) as exc:
            report(project, dt.date(2025, 4, 1), value, 0)
        assert "antara 0 dan 100" in exc.value.message_dict["physical_progress"][0]
    assert not ProgressUpdate.objects.exists()


def test_progress_only_in_construction():
    project = ProjectFactory(status=ProjectStatus.TENDER)
    with pytest.raises(ValidationError) as exc:
        report(project, dt.date(2025, 4, 1), 10, 0)
    assert "Konstruksi" in exc.value.message_dict["__all__"][0]


def test_progress_cannot_go_backwards_without_reason():
    project = ProjectFactory(status=ProjectStatus.KONSTRUKSI)
    report(project, dt.date(2025, 4, 1), 40, 100_000_000)
    with pytest.raises(ValidationError) as exc:
        report(project, dt.date(2025, 4, 15), 35, 100_000_000)
    assert "turun dari 40% ke 35%" in exc.value.message_dict["regression_reason"][0]
    with pytest.raises(ValidationError) as exc:
        report(project, dt.date(2025, 4, 15), 45, 90_000_000)
    assert "realisasi kumulatif" in exc.value.message_dict["regression_reason"][0]
    update = report(project, dt.date(2025, 4, 15), 35, 100_000_000, regression_reason="Bagian tanggul longsor")
    assert update.physical_progress == Decimal(35)


def test_progress_date_rules():
    project = ProjectFactory(status=ProjectStatus.KONSTRUKSI)
    report(project, dt.date(2025, 4, 1), 10, 0)
    with pytest.raises(ValidationError) as exc:
        report(project, dt.date(2025, 3, 20), 20, 0)
    assert "sebelum laporan terakhir" in exc.value.message_dict["reported_on"][0]
    with pytest.raises(ValidationError) as exc:
        report(project, dt.date(2025, 4, 1), 20, 0)
    assert "Sudah ada laporan" in exc.value.message_dict["reported_on"][0]
    with pytest.raises(ValidationError) as exc:
        report(project, dt.date(2099, 1, 1), 20, 0)
    assert "masa depan" in exc.value.message_dict["reported_on"][0]


def test_spending_over_budget_is_allowed_but_flagged():
    project = ProjectFactory(status=ProjectStatus.KONSTRUKSI, budget=1_000_000)
    within = report(project, dt.date(2025, 4, 1), 50, 1_000_000)
    over = report(project, dt.date(2025, 4, 2), 60, 1_200_000)
    assert within.is_over_budget is False
    assert over.is_over_budget is True


def test_photo_resized_and_stripped_of_exif_by_default():
    project = ProjectFactory(status=ProjectStatus.KONSTRUKSI)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Kamera Uji"
    exif[ExifTags.IFD.GPSInfo] = {1: "S", 2: (3.0, 0.0, 36.0), 3: "E", 4: (104.0, 43.0, 12.0)}
    upload = photo_upload(size=(3200, 1600), exif=exif.tobytes())
    update = report(project, dt.date(2025, 4, 1), 10, 0, photos=[upload])
    photo = update.photos.get()
    assert (photo.width, photo.height) == (1600, 800)
    assert photo.has_gps is False
    with default_storage.open(photo.image.name) as fh:
        stored = Image.open(fh)
        assert stored.format == "JPEG"
        assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.Base.Make not in stored.getexif()
    assert "foto" not in photo.image.name.split("/")[-1]  # the uploader's file name is not reused


def test_photo_keeps_gps_only_when_asked():
    project = ProjectFactory(status=ProjectStatus.KONSTRUKSI)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Kamera Uji"
    exif[ExifTags.IFD.GPSInfo] = {1: "S", 2: (3.0, 0.0, 36.0), 3: "E", 4: (104.0, 43.0, 12.0)}
    update = report(project, dt.date(2025, 4, 1), 10, 0, photos=[photo_upload(exif=exif.tobytes())], keep_gps=True)
    photo = update.photos.get()
    assert photo.has_gps is True
    with default_storage.open(photo.image.name) as fh:
        stored = Image.open(fh).getexif()
        assert stored.get_ifd(ExifTags.IFD.GPSInfo)[1] == "S"
        assert ExifTags.Base.Make not in stored


def test_non_image_refused_by_content_and_nothing_saved():
    project = ProjectFactory(status=ProjectStatus.KONSTRUKSI)
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 bukan gambar" * 10, content_type="image/jpeg")
    good = photo_upload()
    with pytest.raises(ValidationError) as exc:
        report(project, dt.date(2025, 4, 1), 10, 0, photos=[good, fake])
    assert "“foto.jpg” bukan gambar" in exc.value.message_dict["photos"][0]
    assert not ProgressUpdate.objects.exists()
    assert not ProgressPhoto.objects.exists()


def test_oversized_photo_refused_before_parsing(monkeypatch):
    project = ProjectFactory(status=ProjectStatus.KONSTRUKSI)
    big = SimpleUploadedFile("besar.jpg", b"\xff\xd8" + b"0" * (8 * 1024 * 1024 + 1), content_type="image/jpeg")

    def explode(*args, **kwargs):
        raise AssertionError("Pillow must not parse an oversized file")

    monkeypatch.setattr(Image, "open", explode)
    with pytest.raises(ValidationError) as exc:
        report(project, dt.date(2025, 4, 1), 10, 0, photos=[big])
    assert "terlalu besar" in exc.value.message_dict["photos"][0]
    assert not ProgressUpdate.objects.exists()


def test_gif_refused_even_though_pillow_reads_it():
    project = ProjectFactory(status=ProjectStatus.KONSTRUKSI)
    gif = SimpleUploadedFile("anim.jpg", image_bytes(fmt="GIF"), content_type="image/jpeg")
    with pytest.raises(ValidationError):
        report(project, dt.date(2025, 4, 1), 10, 0, photos=[gif])


def test_files_removed_when_the_write_fails_half_way(monkeypatch):
    project = ProjectFactory(status=ProjectStatus.KONSTRUKSI)
    before = set(_stored_files())
    original_save = ProgressPhoto.save
    calls = {"n": 0}

    def fail_second(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk penuh")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(ProgressPhoto, "save", fail_second)
    with pytest.raises(OSError, match="disk penuh"):
        report(project, dt.date(2025, 4, 1), 10, 0, photos=[photo_upload(), photo_upload()])
    assert set(_stored_files()) == before
    assert not ProgressUpdate.objects.exists()


def _stored_files():
    root = "infrastructure/photos"
    if not default_storage.exists(root):
        return []
    found = []
    dirs, _files = default_storage.listdir(root)
    for d in dirs:
        found += [f"{d}/{f}" for f in default_storage.listdir(f"{root}/{d}")[1]]
    return found


# Delay flags


def test_attention_flags_passed_end_and_behind_plan():
    late = ProjectFactory(status=ProjectStatus.KONSTRUKSI)  # planned 1 Mar – 31 Aug 2025
    report(late, dt.date(2025, 6, 1), 80, 0)
    behind = ProjectFactory(
        status=ProjectStatus.KONSTRUKSI, planned_start_on=dt.date(2025, 3, 1), planned_end_on=dt.date(2025, 12, 31)
    )
    report(behind, dt.date(2025, 6, 1), 10, 0)
    on_track = ProjectFactory(
        status=ProjectStatus.KONSTRUKSI, planned_start_on=dt.date(2025, 3, 1), planned_end_on=dt.date(2025, 12, 31)
    )
    report(on_track, dt.date(2025, 6, 1), 50, 0)
    done = ProjectFactory(status=ProjectStatus.DISERAHTERIMAKAN)
    proposal = ProjectFactory()

    assert services.projects_flag_delayed(today=dt.date(2025, 9, 10)) == 2 + 0  # late (end passed) and behind
    flags = {p.pk: (p.is_delayed, p.delay_reason) for p in InfrastructureProject.objects.all()}
    assert flags[late.pk][0] is True
    assert "Melewati rencana selesai 31-08-2025 (10 hari)" in flags[late.pk][1]
    assert flags[behind.pk][0] is True
    assert "10% tertinggal dari rencana linear" in flags[behind.pk][1]
    assert flags[on_track.pk] == (False, "")
    assert flags[done.pk] == (False, "")
    assert flags[proposal.pk] == (False, "")


def test_delay_task_is_idempotent_and_clears_fixed_projects():
    from infrastructure.tasks import flag_delayed_projects_task

    project = ProjectFactory(
        status=ProjectStatus.KONSTRUKSI, planned_start_on=dt.date(2025, 1, 1), planned_end_on=dt.date(2025, 2, 1)
    )
    assert flag_delayed_projects_task.delay().get() == 1
    first = InfrastructureProject.objects.get(pk=project.pk)
    assert flag_delayed_projects_task.delay().get() == 1
    second = InfrastructureProject.objects.get(pk=project.pk)
    assert (first.is_delayed, first.delay_reason) == (second.is_delayed, second.delay_reason)
    assert second.delay_computed_at >= first.delay_computed_at
    report(project, dt.date(2025, 3, 1), 100, 0)
    services.project_transition(project=project, actor=None, to_status="selesai", changed_on=dt.date(2025, 3, 2))
    assert flag_delayed_projects_task.delay().get() == 0
    assert InfrastructureProject.objects.get(pk=project.pk).is_delayed is False


def test_beat_schedule_migration_creates_the_daily_task():
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    # Transactional tests flush the table, so the data migration's function is run here directly (twice: idempotent).
    migration = importlib.import_module("infrastructure.migrations.0002_beat_schedule")
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)
    assert PeriodicTask.objects.filter(task="infrastructure.tasks.flag_delayed_projects_task", enabled=True).exists()


def test_services_check_the_actors_permission_and_scope_themselves(
    keramasan, kemang_agung, user_kecamatan, user_kelurahan, user_pimpinan
):
    """A view is not the only guard: a Staf Kelurahan may report progress only on projects serving its kelurahan,
    and neither it nor Pimpinan may edit a project or move its status."""
    from django.core.exceptions import PermissionDenied

    here = ProjectFactory(kelurahan_served=[keramasan], status=ProjectStatus.KONSTRUKSI)
    there = ProjectFactory(kelurahan_served=[kemang_agung], status=ProjectStatus.KONSTRUKSI)
    with pytest.raises(PermissionDenied):
        services.project_update(actor=user_kelurahan, project=here, data={"name": "Diganti"})
    with pytest.raises(PermissionDenied):
        services.project_transition(actor=user_pimpinan, project=here, to_status="dihentikan", halt_reason="x")
    with pytest.raises(PermissionDenied):
        services.project_create(
            actor=user_kelurahan,
            kelurahan_served=[keramasan],
            name="X",
            kind="jalan",
            fiscal_year=2025,
            funding_source="apbd_kota",
        )
    with pytest.raises(ValidationError) as exc:
        services.progress_update_create(
            actor=user_kelurahan,
            project=there,
            reported_on=dt.date(2025, 4, 1),
            physical_progress=10,
            spent_cumulative=1,
        )
    assert exc.value.code == "not_visible"
    update = services.progress_update_create(
        actor=user_kelurahan, project=here, reported_on=dt.date(2025, 4, 1), physical_progress=10, spent_cumulative=1
    )
    assert update.reported_by == user_kelurahan
    updated = services.project_update(actor=user_kecamatan, project=there, data={"name": "Drainase Baru"})
    assert updated.name == "Drainase Baru"
    here.refresh_from_db()
    assert here.name != "Diganti"
    assert here.status == ProjectStatus.KONSTRUKSI
    assert not ProgressUpdate.objects.filter(project=there).exists()


def test_project_update_takes_data_and_keeps_what_it_does_not_name(keramasan, kemang_agung, user_kecamatan):
    project = ProjectFactory(kelurahan_served=[keramasan], contractor="CV Lama")
    updated = services.project_update(
        actor=user_kecamatan, project=project, data={"contractor": "CV Baru", "kelurahan_served": [kemang_agung]}
    )
    assert updated.contractor == "CV Baru"
    assert list(updated.kelurahan_served.all()) == [kemang_agung]
    with pytest.raises(TypeError):
        services.project_update(actor=user_kecamatan, project=project, data={"status": "selesai"})
