"""Demo infrastructure projects (synthetic): every status across the six kelurahan, and a bridge followed from
its Musrenbang proposal to handover with progress reports and generated photos. Idempotent: a project that
already exists (by name) is left as it is."""

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from core.models import Kelurahan
from infrastructure import services
from infrastructure.models import (
    Connection,
    FundingSource,
    InfrastructureProject,
    ProjectKind,
    ProjectStatus,
    SizeUnit,
)

BRIDGE = "Jembatan Gantung Sungai Keramasan"
PATH = [
    ProjectStatus.DIRENCANAKAN,
    ProjectStatus.TENDER,
    ProjectStatus.KONSTRUKSI,
    ProjectStatus.SELESAI,
    ProjectStatus.DISERAHTERIMAKAN,
]

# (name, kind, kelurahan, target status, funding, budget, lat, lng, route, reports[(day, %, spent)])
PROJECTS = [
    (
        "Peningkatan Jalan Lorong Pinang",
        ProjectKind.JALAN,
        ["Kemas Rindo"],
        ProjectStatus.KONSTRUKSI,
        FundingSource.APBD_KOTA,
        850_000_000,
        None,
        None,
        [[-3.0372, 104.7268], [-3.0381, 104.7291], [-3.0393, 104.7312], [-3.0401, 104.7336]],
        [(dt.date(2025, 7, 10), 15, 120_000_000), (dt.date(2025, 8, 20), 25, 260_000_000)],
    ),
    (
        "Normalisasi Drainase Jalan Ki Merogan",
        ProjectKind.DRAINASE,
        ["Kemang Agung", "Kertapati"],
        ProjectStatus.KONSTRUKSI,
        FundingSource.APBD_PROVINSI,
        1_200_000_000,
        None,
        None,
        [[-3.0150, 104.7280], [-3.0165, 104.7330], [-3.0180, 104.7390]],
        [(dt.date(2025, 9, 1), 40, 500_000_000), (dt.date(2025, 10, 1), 70, 1_300_000_000)],
    ),
    (
        "Pembangunan Posyandu Terpadu Karya Jaya",
        ProjectKind.FASILITAS_UMUM,
        ["Karya Jaya"],
        ProjectStatus.SELESAI,
        FundingSource.DANA_KELURAHAN,
        350_000_000,
        -3.0552,
        104.7148,
        [],
        [(dt.date(2025, 5, 1), 50, 150_000_000), (dt.date(2025, 6, 15), 100, 340_000_000)],
    ),
    (
        "Sambungan Air Bersih Ogan Baru",
        ProjectKind.AIR_BERSIH,
        ["Ogan Baru"],
        ProjectStatus.TENDER,
        FundingSource.APBN,
        2_500_000_000,
        -3.0082,
        104.7488,
        [],
        [],
    ),
    (
        "MCK Komunal RT 05 Kertapati",
        ProjectKind.SANITASI,
        ["Kertapati"],
        ProjectStatus.DIRENCANAKAN,
        FundingSource.CSR,
        180_000_000,
        -3.0198,
        104.7455,
        [],
        [],
    ),
    (
        "Jalan Setapak Pinggir Sungai Ogan",
        ProjectKind.JALAN,
        ["Ogan Baru"],
        ProjectStatus.USULAN,
        FundingSource.SWADAYA,
        0,
        None,
        None,
        [[-3.0090, 104.7460], [-3.0101, 104.7478]],
        [],
    ),
    (
        "Gedung Serbaguna Kemang Agung",
        ProjectKind.FASILITAS_UMUM,
        ["Kemang Agung"],
        ProjectStatus.DIHENTIKAN,
        FundingSource.APBD_KOTA,
        900_000_000,
        -3.0158,
        104.7255,
        [],
        [],
    ),
    (
        "Lampu Penerangan Jalan Karya Jaya",
        ProjectKind.LAINNYA,
        ["Karya Jaya", "Keramasan"],
        ProjectStatus.DISERAHTERIMAKAN,
        FundingSource.APBD_KOTA,
        240_000_000,
        -3.0450,
        104.7100,
        [],
        [(dt.date(2025, 3, 20), 60, 120_000_000), (dt.date(2025, 4, 10), 100, 235_000_000)],
    ),
]


def demo_photo(text: str, color: tuple[int, int, int]) -> SimpleUploadedFile:
    """A synthetic photo: a coloured rectangle with a caption (never a real picture)."""
    image = Image.new("RGB", (960, 720), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle([40, 40, 920, 680], outline=(255, 255, 255), width=6)
    try:
        font = ImageFont.load_default(size=44)
    except TypeError:  # Pillow without scalable default font
        font = ImageFont.load_default()
    draw.multiline_text((80, 300), text, fill=(255, 255, 255), font=font, spacing=12)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")


def _walk(project, target, start: dt.date, reports, *, halt_reason="") -> InfrastructureProject:
    if target == ProjectStatus.USULAN:
        return project
    if target == ProjectStatus.DIHENTIKAN:
        project = services.project_transition(
            project=project, actor=None, to_status=ProjectStatus.DIRENCANAKAN, changed_on=start
        )
        return services.project_transition(
            project=project,
            actor=None,
            to_status=target,
            changed_on=start + dt.timedelta(days=40),
            halt_reason=halt_reason,
        )
    day = start
    for step in PATH:
        if step == ProjectStatus.SELESAI:
            day = reports[-1][0] if reports else day
        project = services.project_transition(project=project, actor=None, to_status=step, changed_on=day)
        if step == ProjectStatus.KONSTRUKSI:
            for number, (reported_on, progress, spent) in enumerate(reports, start=1):
                services.progress_update_create(
                    project=project,
                    actor=None,
                    reported_on=reported_on,
                    physical_progress=Decimal(progress),
                    spent_cumulative=spent,
                    note=f"Laporan lapangan ke-{number}.",
                    photos=[demo_photo(f"{project.name}\n{reported_on:%d-%m-%Y} · {progress}%", (11, 93, 94))],
                )
        if step == target:
            break
        day = day + dt.timedelta(days=21)
    return project


def _seed_bridge(keramasan) -> bool:
    if InfrastructureProject.objects.filter(name=BRIDGE).exists():
        return False
    project = services.project_create(
        actor=None,
        kelurahan_served=[keramasan],
        proposed_on=dt.date(2024, 2, 14),
        name=BRIDGE,
        kind=ProjectKind.JEMBATAN,
        description="Usulan Musrenbang Kelurahan Keramasan 2024: jembatan gantung pejalan kaki dan sepeda motor "
        "menghubungkan permukiman ke SD Negeri dan Pasar Keramasan.",
        fiscal_year=2025,
        latitude=Decimal("-3.031200"),
        longitude=Decimal("104.702800"),
        size_value=Decimal("48"),
        size_unit=SizeUnit.METER,
        budget=1_750_000_000,
        funding_source=FundingSource.APBD_KOTA,
        contractor="CV Sriwijaya Konstruksi (contoh)",
        contract_number="602.1/045/PUPR-PLG/2025",
        planned_start_on=dt.date(2025, 3, 1),
        planned_end_on=dt.date(2025, 9, 30),
        connects=[Connection.SEKOLAH, Connection.PASAR, Connection.KELURAHAN_LAIN],
        households_served=420,
    )
    moves = [
        (ProjectStatus.DIRENCANAKAN, dt.date(2024, 11, 5), "Masuk RKPD Kota Palembang 2025."),
        (ProjectStatus.TENDER, dt.date(2025, 1, 15), "Lelang melalui LPSE Kota Palembang."),
        (ProjectStatus.KONSTRUKSI, dt.date(2025, 3, 10), "SPMK diterbitkan."),
    ]
    for status, day, note in moves:
        project = services.project_transition(project=project, actor=None, to_status=status, changed_on=day, note=note)
    reports = [
        (dt.date(2025, 4, 10), 12, 210_000_000, "Pondasi abutment sisi utara.", (120, 90, 60)),
        (dt.date(2025, 5, 20), 35, 610_000_000, "Pemasangan tiang dan kabel utama.", (90, 110, 130)),
        (dt.date(2025, 7, 1), 62, 1_050_000_000, "Lantai jembatan 60% terpasang.", (70, 120, 90)),
        (dt.date(2025, 8, 25), 88, 1_480_000_000, "Pagar pengaman dan pengecatan.", (150, 100, 50)),
        (dt.date(2025, 10, 8), 100, 1_742_000_000, "Pekerjaan selesai, uji beban.", (11, 93, 94)),
    ]
    for reported_on, progress, spent, note, color in reports:
        services.progress_update_create(
            project=project,
            actor=None,
            reported_on=reported_on,
            physical_progress=Decimal(progress),
            spent_cumulative=spent,
            note=note,
            photos=[demo_photo(f"{BRIDGE}\n{reported_on:%d-%m-%Y} · {progress}%\n{note}", color)],
        )
    project = services.project_transition(
        project=project, actor=None, to_status=ProjectStatus.SELESAI, changed_on=dt.date(2025, 10, 10)
    )
    services.project_transition(
        project=project,
        actor=None,
        to_status=ProjectStatus.DISERAHTERIMAKAN,
        changed_on=dt.date(2025, 11, 3),
        note="BAST diserahkan ke Kelurahan Keramasan.",
    )
    return True


def seed(*, log) -> None:
    kelurahan = {k.name: k for k in Kelurahan.objects.all()}
    created = int(_seed_bridge(kelurahan["Keramasan"]))
    for name, kind, served, target, funding, budget, lat, lng, route, reports in PROJECTS:
        if InfrastructureProject.objects.filter(name=name).exists():
            continue
        project = services.project_create(
            actor=None,
            kelurahan_served=[kelurahan[n] for n in served],
            proposed_on=dt.date(2024, 2, 20),
            name=name,
            kind=kind,
            fiscal_year=2025,
            latitude=Decimal(str(lat)) if lat is not None else None,
            longitude=Decimal(str(lng)) if lng is not None else None,
            route=route,
            budget=budget,
            funding_source=funding,
            contractor="" if target in (ProjectStatus.USULAN, ProjectStatus.DIRENCANAKAN) else "CV Contoh Musi",
            contract_number=""
            if target in (ProjectStatus.USULAN, ProjectStatus.DIRENCANAKAN)
            else f"602/{len(name)}/2025",
            planned_start_on=None if target == ProjectStatus.USULAN else dt.date(2025, 6, 1),
            planned_end_on=None if target == ProjectStatus.USULAN else dt.date(2025, 10, 31),
            connects=[Connection.PASAR] if kind == ProjectKind.JALAN else [],
            households_served=150,
        )
        _walk(project, target, dt.date(2025, 2, 1), reports, halt_reason="Lahan belum dibebaskan (contoh).")
        created += 1
    flagged = services.projects_flag_delayed()
    log(f"Infrastruktur: {created} proyek baru, {flagged} perlu perhatian")
