"""Demo grievances in every status and one pending change request (idempotent: keyed by title)."""

from django.utils import timezone

from accounts.models import Role, User
from beneficiaries.models import Household
from grievances import services
from grievances.models import Category, ChangeRequest, Channel, Grievance, Priority, Status

DEMO = [
    {
        "title": "Paket sembako bulan ini belum diterima",
        "category": Category.BANTUAN_TIDAK_DITERIMA,
        "channel": Channel.LANGSUNG,
        "status": Status.BARU,
        "description": "Warga menyampaikan bahwa paket sembako putaran bulan ini belum sampai, padahal tetangga sudah menerima.",
    },
    {
        "title": "Nama kepala keluarga salah ketik",
        "category": Category.DATA_SALAH,
        "channel": Channel.WHATSAPP,
        "status": Status.DIPROSES,
        "description": "Nama kepala keluarga di data portal berbeda satu huruf dengan KTP.",
    },
    {
        "title": "Merasa layak menerima bantuan tetapi tidak terdaftar",
        "category": Category.SANGGAHAN_KELAYAKAN,
        "channel": Channel.SURAT,
        "status": Status.DIPROSES,
        "description": "Keluarga menyanggah hasil penetapan penerima dan meminta verifikasi ulang.",
        "overdue_days": 20,
    },
    {
        "title": "Jalan lorong berlubang setelah proyek drainase",
        "category": Category.MASALAH_INFRASTRUKTUR,
        "channel": Channel.TELEPON,
        "status": Status.SELESAI,
        "description": "Lubang bekas galian drainase belum ditutup kembali.",
        "answer": "Kontraktor sudah menutup galian pada minggu ini; petugas kelurahan memeriksa hasilnya.",
    },
    {
        "title": "Usul jadwal pembagian sore hari",
        "category": Category.MASUKAN,
        "channel": Channel.LANGSUNG,
        "status": Status.DITOLAK,
        "description": "Warga yang bekerja pagi meminta pembagian sembako dijadwalkan sore.",
        "answer": "Jadwal ditetapkan lembaga penyalur; usulan diteruskan, tetapi untuk putaran ini tidak dapat diubah.",
    },
]


def seed(*, log) -> None:
    household = Household.objects.filter(is_active=True, kelurahan__name="Keramasan").order_by("pk").first()
    household = household or Household.objects.filter(is_active=True).order_by("pk").first()
    if household is None:
        log("Pengaduan demo: belum ada keluarga, tidak ada yang dibuat")
        return
    staff = User.objects.filter(role=Role.STAF_KELURAHAN, kelurahan_id=household.kelurahan_id, is_active=True).first()
    checker = User.objects.filter(role=Role.STAF_KECAMATAN, is_active=True).first()
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).first()
    maker = staff or admin
    if maker is None:
        log("Pengaduan demo: belum ada pengguna staf, tidak ada yang dibuat")
        return
    created = 0
    today = timezone.localdate()
    for spec in DEMO:
        if Grievance.objects.filter(title=spec["title"]).exists():
            continue
        received = today - timezone.timedelta(days=spec.get("overdue_days", 2))
        grievance = services.grievance_create(
            actor=maker,
            channel=spec["channel"],
            category=spec["category"],
            title=spec["title"],
            description=spec["description"],
            household=household,
            complainant_name="Siti Aminah",
            complainant_phone="081234567890",
            priority=Priority.TINGGI if spec["category"] == Category.BANTUAN_TIDAK_DITERIMA else Priority.SEDANG,
            received_on=received,
            assigned_to=maker,
        )
        if spec["status"] != Status.BARU:
            services.grievance_transition(actor=maker, grievance=grievance, to_status=Status.DIPROSES)
        if spec["status"] in (Status.SELESAI, Status.DITOLAK):
            services.grievance_transition(
                actor=maker, grievance=grievance, to_status=spec["status"], answer=spec["answer"]
            )
        created += 1
    source = Grievance.objects.filter(category=Category.DATA_SALAH, household=household).first()
    pending = 0
    if source is not None and not ChangeRequest.objects.filter(grievance=source).exists():
        head = household.members.filter(is_active=True).order_by("relationship", "pk").first()
        if head is not None and (checker is None or checker.pk != maker.pk):
            services.change_request_create(
                actor=maker,
                member=head,
                field_name="full_name",
                new_value=head.full_name + " (perbaikan)" if len(head.full_name) < 130 else head.full_name[:-1],
                reason="Sesuai KTP elektronik yang ditunjukkan warga.",
                grievance=source,
            )
            pending = 1
    log(f"Pengaduan demo: {created} baru, {pending} permintaan perubahan data")
