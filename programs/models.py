"""Empowerment programs: Program, Cohort (angkatan), TrainingSession, Enrollment, Attendance, follow-ups and
outcomes, and group enterprises (usaha kelompok).

Lifecycle rules live in the `services` package; invariants that the database can hold are constraints here, and
the data the rules read (which fields users edit, which actions each status allows) sits next to each model.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from beneficiaries.models import Member
from core import history
from core.models import Kelurahan, TimeStampedModel
from core.scoping import ScopedQuerySet


class ProgramKind(models.TextChoices):
    SKILLS_TRAINING = "pelatihan", _("Pelatihan keterampilan")
    BUSINESS_SUPPORT = "pendampingan", _("Pendampingan usaha")
    OTHER = "lainnya", _("Lainnya")


class FundingSource(models.TextChoices):
    APBN = "apbn", _("APBN")
    APBD = "apbd", _("APBD")
    CSR = "csr", _("CSR")
    SWADAYA = "swadaya", _("Swadaya")
    OTHER = "lainnya", _("Lainnya")


class OrganiserKind(models.TextChoices):
    KECAMATAN = "kecamatan", _("Kecamatan")
    INSTITUTION = "lembaga", _("Lembaga")


@history.track()
class Program(TimeStampedModel):
    name = models.CharField(_("nama program"), max_length=150, unique=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=ProgramKind.choices, default=ProgramKind.SKILLS_TRAINING)
    organiser_kind = models.CharField(
        _("penyelenggara"), max_length=20, choices=OrganiserKind.choices, default=OrganiserKind.KECAMATAN
    )
    # Free text on purpose: institutions belong to aid_distribution, which programs must not import.
    organiser_name = models.CharField(
        _("nama lembaga penyelenggara"), max_length=150, blank=True, help_text=_("Isi jika penyelenggara lembaga.")
    )
    description = models.TextField(_("deskripsi"), blank=True)
    funding_source = models.CharField(
        _("sumber dana"), max_length=20, choices=FundingSource.choices, default=FundingSource.APBD
    )
    budget = models.BigIntegerField(_("anggaran (Rp)"), default=0, validators=[MinValueValidator(0)])
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("program")
        verbose_name_plural = _("program")
        permissions = [("view_program_dashboard", _("Dapat melihat dasbor program (agregat)"))]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="programs_program_budget_non_negative"),
            models.CheckConstraint(
                condition=~Q(organiser_kind=OrganiserKind.INSTITUTION) | ~Q(organiser_name=""),
                name="programs_program_institution_named",
                violation_error_message=_("Nama lembaga penyelenggara wajib diisi."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def organiser_display(self) -> str:
        if self.organiser_kind == OrganiserKind.INSTITUTION:
            return self.organiser_name
        return str(_("Kecamatan Kertapati"))


#: What users edit on a program (form, admin, `services.program_create/program_update`).
PROGRAM_EDITABLE = [
    "name",
    "kind",
    "organiser_kind",
    "organiser_name",
    "description",
    "funding_source",
    "budget",
    "is_active",
]


class CohortStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    OPEN = "dibuka", _("Dibuka (pendaftaran)")
    RUNNING = "berjalan", _("Berjalan")
    FINISHED = "selesai", _("Selesai")
    EVALUATED = "dievaluasi", _("Dievaluasi")


#: action -> (from status, to status): the one lifecycle of a cohort (`services.cohort_transition`).
COHORT_TRANSITIONS = {
    "open": (CohortStatus.DRAFT, CohortStatus.OPEN),
    "start": (CohortStatus.OPEN, CohortStatus.RUNNING),
    "finish": (CohortStatus.RUNNING, CohortStatus.FINISHED),
    "evaluate": (CohortStatus.FINISHED, CohortStatus.EVALUATED),
}
#: Cohorts that take new participants.
ENROLLABLE_COHORT_STATUSES = [CohortStatus.OPEN, CohortStatus.RUNNING]
#: Cohorts whose details, sessions and rule are frozen.
CLOSED_COHORT_STATUSES = [CohortStatus.FINISHED, CohortStatus.EVALUATED]


@history.track()
class Cohort(TimeStampedModel):
    """An angkatan of a program: dates, venue, trainers, capacity, where it recruits and who is eligible."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("program"))
    number = models.PositiveSmallIntegerField(_("angkatan ke-"), validators=[MinValueValidator(1)])
    name = models.CharField(_("nama angkatan"), max_length=150, blank=True)
    starts_on = models.DateField(_("tanggal mulai"))
    ends_on = models.DateField(_("tanggal selesai"))
    venue = models.CharField(_("tempat"), max_length=200)
    trainers = models.CharField(
        _("pelatih/instruktur"), max_length=300, blank=True, help_text=_("Nama pelatih, pisahkan dengan koma.")
    )
    capacity = models.PositiveSmallIntegerField(_("kuota peserta"), validators=[MinValueValidator(1)])
    kelurahan_set = models.ManyToManyField(
        Kelurahan,
        blank=True,
        related_name="+",
        verbose_name=_("kelurahan asal peserta"),
        help_text=_("Kosong berarti semua kelurahan."),
    )
    min_attendance_pct = models.PositiveSmallIntegerField(
        _("kehadiran minimal untuk lulus (%)"),
        default=75,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    status = models.CharField(_("status"), max_length=20, choices=CohortStatus.choices, default=CohortStatus.DRAFT)
    eligibility_rule = models.JSONField(_("aturan kelayakan"), default=dict, blank=True)

    class Meta:
        ordering = ["-starts_on", "program__name", "number"]
        verbose_name = _("angkatan")
        verbose_name_plural = _("angkatan")
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="programs_cohort_unique_number"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="programs_cohort_dates_ordered",
                violation_error_message=_("Tanggal selesai tidak boleh sebelum tanggal mulai."),
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="programs_cohort_capacity_positive"),
            models.CheckConstraint(
                condition=Q(min_attendance_pct__gte=0, min_attendance_pct__lte=100),
                name="programs_cohort_min_attendance_range",
            ),
        ]

    def __str__(self):
        label = self.name or _("Angkatan %(n)s") % {"n": self.number}
        return f"{self.program.name} · {label}"

    @property
    def label(self) -> str:
        return self.name or str(_("Angkatan %(n)s") % {"n": self.number})

    @property
    def trainer_list(self) -> list[str]:
        return [name.strip() for name in self.trainers.split(",") if name.strip()]

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_COHORT_STATUSES

    @property
    def is_enrollable(self) -> bool:
        return self.status in ENROLLABLE_COHORT_STATUSES

    @property
    def is_running(self) -> bool:
        return self.status == CohortStatus.RUNNING

    @property
    def next_action(self) -> str | None:
        """The lifecycle step the cohort's status allows now (None once evaluated)."""
        return next((action for action, (source, _t) in COHORT_TRANSITIONS.items() if source == self.status), None)


#: What users edit on a cohort; `program` is chosen once at creation and the status moves by transitions only.
COHORT_EDITABLE = [
    "number",
    "name",
    "starts_on",
    "ends_on",
    "venue",
    "trainers",
    "capacity",
    "kelurahan_set",
    "min_attendance_pct",
    "eligibility_rule",
]


@history.track()
class TrainingSession(TimeStampedModel):
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("angkatan"))
    held_on = models.DateField(_("tanggal"))
    topic = models.CharField(_("materi"), max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(
        _("durasi (menit)"), default=120, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )

    class Meta:
        ordering = ["held_on", "pk"]
        verbose_name = _("sesi pelatihan")
        verbose_name_plural = _("sesi pelatihan")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=720),
                name="programs_session_duration_range",
            ),
        ]

    def __str__(self):
        return f"{self.held_on:%d-%m-%Y} · {self.topic}"


#: What users edit on a training session (the cohort is chosen once at creation).
SESSION_EDITABLE = ["held_on", "topic", "duration_minutes"]


class EnrollmentStatus(models.TextChoices):
    APPLIED = "diajukan", _("Diajukan")
    ACCEPTED = "diterima", _("Diterima")
    WAITLISTED = "daftar_tunggu", _("Daftar tunggu")
    ENROLLED = "terdaftar", _("Terdaftar")
    COMPLETED = "lulus", _("Lulus")
    NOT_COMPLETED = "tidak_lulus", _("Tidak lulus")
    DROPPED = "keluar", _("Keluar")
    # "Batal" is also the Cancel button; the status is "Cancelled" in English.
    CANCELLED = "batal", pgettext_lazy("status", "Batal")


#: Statuses that hold a seat of the cohort's capacity.
SEAT_STATUSES = [
    EnrollmentStatus.ACCEPTED,
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.NOT_COMPLETED,
]
#: Statuses of a participation still in progress: at most one per member and program.
OPEN_STATUSES = [
    EnrollmentStatus.APPLIED,
    EnrollmentStatus.ACCEPTED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.ENROLLED,
]
#: Statuses that count as taking or having taken part in a program (eligibility "household_not_in_program").
PARTICIPATING_STATUSES = [*OPEN_STATUSES, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED]
#: Statuses of a participation that has ended with a result (completion rate = completed / these).
FINISHED_STATUSES = [EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED, EnrollmentStatus.DROPPED]
#: action -> (statuses it applies to, cohort statuses it needs): `services.enrollment_transition`.
ENROLLMENT_ACTIONS = {
    "accept": ([EnrollmentStatus.APPLIED], ENROLLABLE_COHORT_STATUSES),
    "reject": ([EnrollmentStatus.APPLIED], list(CohortStatus)),
    "complete": ([EnrollmentStatus.ENROLLED], [CohortStatus.RUNNING]),
    "fail": ([EnrollmentStatus.ENROLLED], [CohortStatus.RUNNING]),
    "drop": (OPEN_STATUSES, list(CohortStatus)),
}


def enrollment_actions(*, status: str, cohort_status: str) -> list[str]:
    """The actions a participant's status and the cohort's status allow (buttons on the cohort page)."""
    return [
        action
        for action, (statuses, cohort_statuses) in ENROLLMENT_ACTIONS.items()
        if status in statuses and cohort_status in cohort_statuses
    ]


class EnrollmentQuerySet(ScopedQuerySet):
    kelurahan_lookup = "member__household__kelurahan"


@history.track()
class Enrollment(TimeStampedModel):
    """One member in one cohort, with a status lifecycle (services.py)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("angkatan"))
    # Copied from the cohort so that the database can hold "one open participation per member and program".
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("program"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("peserta"))
    status = models.CharField(
        _("status"), max_length=20, choices=EnrollmentStatus.choices, default=EnrollmentStatus.APPLIED
    )
    status_changed_at = models.DateTimeField(_("status diubah pada"), auto_now_add=True)
    waitlisted_at = models.DateTimeField(_("masuk daftar tunggu pada"), null=True, blank=True)
    is_eligible_at_entry = models.BooleanField(_("memenuhi aturan kelayakan saat didaftarkan"), default=True)
    override_reason = models.CharField(_("alasan pengecualian aturan"), max_length=300, blank=True)
    exit_reason = models.CharField(_("alasan keluar"), max_length=300, blank=True)
    completed_on = models.DateField(_("tanggal lulus"), null=True, blank=True)
    certificate_code = models.CharField(_("kode sertifikat"), max_length=16, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("didaftarkan oleh"),
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "member__full_name"]
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "member"], name="programs_enrollment_unique_per_cohort"),
            # A member cannot take part in two cohorts of one program at the same time.
            models.UniqueConstraint(
                fields=["member", "program"],
                condition=Q(status__in=OPEN_STATUSES),
                name="programs_enrollment_one_open_per_program",
                violation_error_message=_("Anggota ini sudah terdaftar di angkatan lain program yang sama."),
            ),
            models.CheckConstraint(
                condition=Q(is_eligible_at_entry=True) | ~Q(override_reason=""),
                name="programs_enrollment_override_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=EnrollmentStatus.COMPLETED)
                | Q(completed_on__isnull=False, certificate_code__isnull=False),
                name="programs_enrollment_completed_has_certificate",
            ),
        ]
        indexes = [models.Index(fields=["cohort", "status"], name="programs_enr_cohort_status_idx")]

    def __str__(self):
        return f"{self.member} · {self.cohort}"


@history.track()
class Attendance(TimeStampedModel):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("sesi")
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("peserta")
    )
    is_present = models.BooleanField(_("hadir"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("kehadiran")
        verbose_name_plural = _("kehadiran")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="programs_attendance_unique"),
        ]

    def __str__(self):
        return f"{self.enrollment.member} · {self.session}"


def new_certificate_code() -> str:
    """12 characters without look-alikes (0/O, 1/I): easy to type from paper, impossible to guess."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


FOLLOW_UP_MONTHS = (3, 6, 12)


@history.track()
class FollowUp(TimeStampedModel):
    """A planned follow-up 3, 6 or 12 months after completion."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("peserta")
    )
    months_after = models.PositiveSmallIntegerField(
        _("bulan setelah lulus"), choices=[(m, _("%(m)s bulan") % {"m": m}) for m in FOLLOW_UP_MONTHS]
    )
    due_on = models.DateField(_("jatuh tempo"))
    listed_due_on = models.DateField(_("tercatat jatuh tempo pada"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "months_after"], name="programs_followup_unique"),
        ]

    def __str__(self):
        return f"{self.enrollment.member} · {self.get_months_after_display()}"


class BusinessKind(models.TextChoices):
    TAILORING = "jahit", _("Jahit/konveksi")
    CRAFT = "kerajinan", _("Kerajinan tangan")
    FOOD = "kuliner", _("Kuliner/makanan")
    TRADE = "dagang", _("Perdagangan/warung")
    SERVICE = "jasa", _("Jasa")
    OTHER = "lainnya", _("Lainnya")


@history.track()
class Outcome(TimeStampedModel):
    follow_up = models.OneToOneField(
        FollowUp, on_delete=models.PROTECT, related_name="outcome", verbose_name=_("tindak lanjut")
    )
    recorded_on = models.DateField(_("tanggal pendataan"))
    is_working = models.BooleanField(_("bekerja"), default=False)
    has_business = models.BooleanField(_("memulai usaha"), default=False)
    business_kind = models.CharField(_("jenis usaha"), max_length=20, choices=BusinessKind.choices, blank=True)
    business_name = models.CharField(_("nama usaha"), max_length=150, blank=True)
    income_before = models.BigIntegerField(
        _("pendapatan per bulan sebelum pelatihan (Rp)"), default=0, validators=[MinValueValidator(0)]
    )
    income_after = models.BigIntegerField(
        _("pendapatan per bulan saat ini (Rp)"), default=0, validators=[MinValueValidator(0)]
    )
    sells_online = models.BooleanField(_("berjualan daring"), default=False)
    sells_on_marketplace = models.BooleanField(_("marketplace"), default=False)
    sells_on_social_media = models.BooleanField(_("media sosial"), default=False)
    sells_on_whatsapp = models.BooleanField(_("WhatsApp"), default=False)
    products = models.CharField(_("produk yang dibuat"), max_length=300, blank=True)
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hasil tindak lanjut")
        verbose_name_plural = _("hasil tindak lanjut")
        constraints = [
            models.CheckConstraint(
                condition=Q(income_before__gte=0, income_after__gte=0), name="programs_outcome_income_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(sells_online=True)
                | Q(sells_on_marketplace=False, sells_on_social_media=False, sells_on_whatsapp=False),
                name="programs_outcome_channels_need_online",
            ),
        ]

    def __str__(self):
        return f"{self.follow_up} · {self.recorded_on:%d-%m-%Y}"

    @property
    def channels(self) -> list[str]:
        return [
            str(label)
            for flag, label in (
                (self.sells_on_marketplace, _("marketplace")),
                (self.sells_on_social_media, _("media sosial")),
                (self.sells_on_whatsapp, _("WhatsApp")),
            )
            if flag
        ]


#: What users record about a follow-up (form, admin, `services.outcome_record/outcome_update`).
OUTCOME_EDITABLE = [
    "recorded_on",
    "is_working",
    "has_business",
    "business_kind",
    "business_name",
    "income_before",
    "income_after",
    "sells_online",
    "sells_on_marketplace",
    "sells_on_social_media",
    "sells_on_whatsapp",
    "products",
    "note",
]


class GroupEnterpriseQuerySet(ScopedQuerySet):
    kelurahan_lookup = "kelurahan"


@history.track()
class GroupEnterprise(TimeStampedModel):
    """A usaha kelompok (e.g. a women's sewing group) formed by program graduates."""

    name = models.CharField(_("nama kelompok usaha"), max_length=150, unique=True)
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("program asal"),
    )
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan"))
    business_kind = models.CharField(_("jenis usaha"), max_length=20, choices=BusinessKind.choices)
    products = models.CharField(_("produk"), max_length=300, blank=True)
    founded_on = models.DateField(_("tanggal berdiri"))
    sells_online = models.BooleanField(_("berjualan daring"), default=False)
    members = models.ManyToManyField(
        Member, through="GroupMembership", related_name="+", verbose_name=_("anggota kelompok")
    )

    objects = GroupEnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("usaha kelompok")
        verbose_name_plural = _("usaha kelompok")

    def __str__(self):
        return self.name


#: What users edit on a group enterprise.
ENTERPRISE_EDITABLE = ["name", "program", "kelurahan", "business_kind", "products", "founded_on", "sells_online"]


class GroupMembershipQuerySet(ScopedQuerySet):
    kelurahan_lookup = "member__household__kelurahan"


@history.track()
class GroupMembership(models.Model):
    enterprise = models.ForeignKey(
        GroupEnterprise, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("usaha kelompok")
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("anggota"))
    role = models.CharField(_("peran"), max_length=50, blank=True, help_text=_("mis. ketua, bendahara, anggota"))
    joined_on = models.DateField(_("tanggal bergabung"))

    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("anggota usaha kelompok")
        verbose_name_plural = _("anggota usaha kelompok")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "member"], name="programs_groupmembership_unique"),
        ]

    def __str__(self):
        return f"{self.member} · {self.enterprise}"


#: What users edit on a membership (the enterprise and the member are chosen once).
MEMBERSHIP_EDITABLE = ["role", "joined_on"]


@history.track()
class GroupSale(TimeStampedModel):
    """Monthly sales of a group enterprise (one row per month)."""

    enterprise = models.ForeignKey(
        GroupEnterprise, on_delete=models.CASCADE, related_name="sales", verbose_name=_("usaha kelompok")
    )
    month = models.DateField(_("bulan"), help_text=_("Tanggal 1 bulan tersebut."))
    amount = models.BigIntegerField(_("omzet (Rp)"), validators=[MinValueValidator(0)])
    online_amount = models.BigIntegerField(_("omzet daring (Rp)"), default=0, validators=[MinValueValidator(0)])
    units_sold = models.PositiveIntegerField(_("jumlah produk terjual"), default=0)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("penjualan bulanan")
        verbose_name_plural = _("penjualan bulanan")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "month"], name="programs_groupsale_unique_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="programs_groupsale_month_first_day"),
            models.CheckConstraint(
                condition=Q(amount__gte=0, online_amount__gte=0, online_amount__lte=models.F("amount")),
                name="programs_groupsale_amounts_valid",
                violation_error_message=_("Omzet daring tidak boleh negatif atau melebihi omzet total."),
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.month:%m-%Y}"


#: What users record about a month's sales (the enterprise is chosen once).
SALE_EDITABLE = ["month", "amount", "online_amount", "units_sold"]
