"""Grievances (pengaduan) and data-change requests with maker-checker approval (issue 9).

A grievance may be about a household, a distribution round, a training cohort or an infrastructure project, so
grievances depends on those apps openly: grievances -> beneficiaries, programs, aid_distribution, infrastructure,
accounts, core (its forms import their models; none of them imports grievances, which
tests/grievances/test_dependencies.py checks). The foreign keys use string references only so that the models
module does not need the other apps' models at import time.
"""

import datetime
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core import history
from core.access import is_signed_in
from core.models import Kelurahan, TimeStampedModel
from core.scoping import ScopedQuerySet

DEFAULT_SLA_DAYS = 14


class Channel(models.TextChoices):
    LANGSUNG = "langsung", _("Datang langsung")
    TELEPON = "telepon", _("Telepon")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SURAT = "surat", _("Surat")
    LEMBAGA = "lembaga", _("Melalui petugas lembaga")


class Category(models.TextChoices):
    BANTUAN_TIDAK_DITERIMA = "bantuan_tidak_diterima", _("Bantuan tidak diterima")
    DATA_SALAH = "data_salah", _("Data salah")
    SANGGAHAN_KELAYAKAN = "sanggahan_kelayakan", _("Sanggahan kelayakan")
    KELUHAN_PETUGAS = "keluhan_petugas", _("Keluhan petugas/lembaga")
    MASALAH_INFRASTRUKTUR = "masalah_infrastruktur", _("Masalah infrastruktur")
    MASUKAN = "masukan", _("Masukan")
    LAINNYA = "lainnya", _("Lainnya")


class Priority(models.IntegerChoices):
    RENDAH = 1, _("Rendah")
    SEDANG = 2, _("Sedang")
    TINGGI = 3, _("Tinggi")
    MENDESAK = 4, _("Mendesak")


class Status(models.TextChoices):
    BARU = "baru", _("Baru")
    DIPROSES = "diproses", _("Diproses")
    SELESAI = "selesai", _("Selesai")
    DITOLAK = "ditolak", _("Ditolak")


OPEN_STATUSES = (Status.BARU, Status.DIPROSES)
CLOSED_STATUSES = (Status.SELESAI, Status.DITOLAK)


@history.track()
class GrievanceCategorySLA(models.Model):
    """How many days a grievance of one category may stay open; a category without a row gets 14 days."""

    category = models.CharField(_("kategori"), max_length=30, choices=Category.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("batas waktu (hari)"), default=DEFAULT_SLA_DAYS)

    class Meta:
        ordering = ["category"]
        verbose_name = _("batas waktu layanan pengaduan")
        verbose_name_plural = _("batas waktu layanan pengaduan")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=365), name="grievances_sla_days_range"),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.days} hari"

    @classmethod
    def days_for(cls, category: str) -> int:
        row = cls.objects.filter(category=category).values_list("days", flat=True).first()
        return row or DEFAULT_SLA_DAYS


class GrievanceQuerySet(ScopedQuerySet):
    kelurahan_lookup = "kelurahan"

    def visible_to(self, user):
        """Kelurahan scope by role; workers see what they submitted; Pimpinan sees aggregates only.

        Sensitive grievances (abuse, complaints about staff) are seen only by admins and their assignee, and an
        assignee always sees what is assigned to them.
        """
        if not is_signed_in(user):
            return self.none()
        if user.is_admin_role:
            return self.all()
        if user.role == Role.PIMPINAN:
            return self.none()
        if user.role == Role.PETUGAS_LEMBAGA:
            base = Q(submitted_by=user)
        else:
            scope = user.kelurahan_scope()
            if scope is None:
                base = Q()
            elif not scope:
                return self.filter(assigned_to=user)
            else:
                base = Q(kelurahan__in=scope)
        return self.filter((base & Q(is_sensitive=False)) | Q(assigned_to=user))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(due_on__lt=today or timezone.localdate())


@history.track()
class Grievance(TimeStampedModel):
    channel = models.CharField(_("saluran"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("kategori"), max_length=30, choices=Category.choices)
    title = models.CharField(_("pokok pengaduan"), max_length=200)
    description = models.TextField(_("uraian"))
    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="grievances", verbose_name=_("kelurahan")
    )
    household = models.ForeignKey(
        "beneficiaries.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances",
        verbose_name=_("keluarga terkait"),
    )
    member = models.ForeignKey(
        "beneficiaries.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances",
        verbose_name=_("anggota keluarga terkait"),
    )
    distribution_round = models.ForeignKey(
        "aid_distribution.DistributionRound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances",
        verbose_name=_("putaran penyaluran terkait"),
    )
    cohort = models.ForeignKey(
        "programs.Cohort",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances",
        verbose_name=_("angkatan pelatihan terkait"),
    )
    infrastructure_project = models.ForeignKey(
        "infrastructure.InfrastructureProject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances",
        verbose_name=_("proyek infrastruktur terkait"),
    )
    is_anonymous = models.BooleanField(_("pelapor anonim"), default=False)
    complainant_name = models.CharField(_("nama pelapor"), max_length=150, blank=True)
    complainant_phone = models.CharField(_("telepon/WhatsApp pelapor"), max_length=20, blank=True)
    complainant_address = models.CharField(_("alamat pelapor"), max_length=200, blank=True)
    priority = models.PositiveSmallIntegerField(_("prioritas"), choices=Priority.choices, default=Priority.SEDANG)
    is_sensitive = models.BooleanField(
        _("sensitif"),
        default=False,
        help_text=_("Tentang kekerasan atau tentang petugas: hanya Admin dan petugas yang ditugasi dapat melihat."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.BARU)
    received_on = models.DateField(_("tanggal diterima"), default=timezone.localdate)
    due_on = models.DateField(_("batas waktu"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_grievances",
        verbose_name=_("ditugaskan kepada"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    answer = models.TextField(_("jawaban"), blank=True)
    closed_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditutup oleh"),
    )

    objects = GrievanceQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("pengaduan")
        verbose_name_plural = _("pengaduan")
        permissions = [("view_grievance_stats", _("Dapat melihat statistik pengaduan"))]
        constraints = [
            # Closing needs a written answer (issue 9): the database refuses a closed grievance without one.
            models.CheckConstraint(
                condition=Q(status__in=OPEN_STATUSES) | (~Q(answer="") & Q(closed_at__isnull=False)),
                name="grievances_closed_has_answer",
            ),
            models.CheckConstraint(
                condition=Q(is_anonymous=True) | ~Q(complainant_name=""),
                name="grievances_named_or_anonymous",
            ),
            models.CheckConstraint(condition=Q(due_on__gte=F("received_on")), name="grievances_due_after_received"),
        ]
        indexes = [
            models.Index(fields=["kelurahan", "status"], name="griev_kel_status_idx"),
            models.Index(fields=["assigned_to", "status"], name="griev_assignee_status_idx"),
            models.Index(fields=["status", "due_on"], name="griev_status_due_idx"),
            models.Index(fields=["household"], name="griev_household_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < timezone.localdate()

    @property
    def complainant_label(self) -> str:
        return str(_("Anonim")) if self.is_anonymous else self.complainant_name

    def clean(self):
        errors = {}
        if self.member_id and self.household_id and self.member.household_id != self.household_id:
            errors["member"] = _("Anggota keluarga terkait: anggota ini bukan anggota keluarga yang dipilih.")
        if not self.is_anonymous and not self.complainant_name.strip():
            errors["complainant_name"] = _("Nama pelapor wajib diisi, atau tandai pelapor sebagai anonim.")
        if self.status in CLOSED_STATUSES and not self.answer.strip():
            errors["answer"] = _("Jawaban tertulis wajib diisi untuk menutup pengaduan.")
        if errors:
            raise ValidationError(errors)


class ChangeRequestStatus(models.TextChoices):
    MENUNGGU = "menunggu", _("Menunggu persetujuan")
    DISETUJUI = "disetujui", _("Disetujui dan diterapkan")
    DITOLAK = "ditolak", _("Ditolak")


class ChangeRequestQuerySet(ScopedQuerySet):
    kelurahan_lookup = "household__kelurahan"

    def visible_to(self, user):
        if not is_signed_in(user):
            return self.none()
        if user.role == Role.PIMPINAN and not user.is_admin_role:
            return self.none()
        if user.role == Role.PETUGAS_LEMBAGA and not user.is_admin_role:
            return self.filter(requested_by=user)
        return super().visible_to(user)

    def pending(self):
        return self.filter(status=ChangeRequestStatus.MENUNGGU)


def evidence_path(instance, filename: str) -> str:
    # Never the uploader's file name (it may carry a NIK): a random name keeps only the extension.
    suffix = Path(filename).suffix.lower()[:8]
    return f"grievances/evidence/{timezone.now():%Y/%m}/{secrets.token_hex(12)}{suffix}"


@history.track()
class ChangeRequest(TimeStampedModel):
    """A proposed correction of one registry field, applied only when someone other than its author approves."""

    household = models.ForeignKey(
        "beneficiaries.Household",
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("keluarga"),
    )
    member = models.ForeignKey(
        "beneficiaries.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_requests",
        verbose_name=_("anggota keluarga"),
        help_text=_("Kosong bila yang dikoreksi adalah data keluarga."),
    )
    grievance = models.ForeignKey(
        Grievance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_requests",
        verbose_name=_("pengaduan asal"),
    )
    field_name = models.CharField(_("data yang dikoreksi"), max_length=40)
    old_value = models.TextField(_("nilai lama"), blank=True)
    new_value = models.TextField(_("nilai baru"), blank=True)
    reason = models.TextField(_("alasan"))
    evidence = models.FileField(_("bukti"), upload_to=evidence_path, blank=True, max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.MENUNGGU
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diajukan oleh")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diputuskan oleh"),
    )
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    decision_note = models.TextField(_("catatan keputusan"), blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("permintaan perubahan data")
        verbose_name_plural = _("permintaan perubahan data")
        permissions = [("approve_changerequest", _("Dapat menyetujui atau menolak permintaan perubahan data"))]
        constraints = [
            # Maker-checker: whoever approves or rejects is never the author (enforced in the service too).
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="grievances_changerequest_checker_not_maker",
            ),
            models.CheckConstraint(
                condition=Q(status=ChangeRequestStatus.MENUNGGU)
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="grievances_changerequest_decided_has_checker",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="griev_cr_status_idx")]

    def __str__(self):
        return _("Perubahan %(field)s #%(id)s") % {"field": self.field_name, "id": self.pk}

    @property
    def target(self):
        return self.member if self.member_id else self.household


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not is_signed_in(user):
            return self.none()
        return self.filter(user=user)


class Notification(models.Model):
    """A message for one user (in-app, or a record that an e-mail went out); one per user, kind and day."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("Pengaduan lewat batas waktu")

    class ChannelKind(models.TextChoices):
        IN_APP = "in_app", _("Di portal")
        EMAIL = "email", _("E-mail")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("pengguna")
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("saluran"), max_length=10, choices=ChannelKind.choices)
    sent_on = models.DateField(_("tanggal"))
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    read_at = models.DateTimeField(_("dibaca pada"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("pemberitahuan")
        verbose_name_plural = _("pemberitahuan")
        constraints = [
            # The daily task may run twice (retries, a second beat): one notice per user, kind and day.
            models.UniqueConstraint(fields=["user", "kind", "sent_on"], name="grievances_notification_once_a_day"),
        ]

    def __str__(self):
        return self.title


class SubjectRequestKind(models.TextChoices):
    """Data-subject rights under UU PDP (Pasal 5-13) that the kecamatan handles as tracked items."""

    ACCESS = "akses", _("Akses dan salinan data")
    CORRECTION = "perbaikan", _("Perbaikan data")
    DELETION = "penghapusan", _("Penghapusan data")
    RESTRICTION = "pembatasan", _("Pembatasan pemrosesan")
    WITHDRAWAL = "penarikan", _("Penarikan persetujuan")


class SubjectRequestStatus(models.TextChoices):
    BARU = "baru", _("Baru")
    DIPROSES = "diproses", _("Diproses")
    SELESAI = "selesai", _("Selesai")
    DITOLAK = "ditolak", _("Ditolak")


# UU PDP Pasal 32: access within 3 x 24 hours; restriction likewise; other rights get the same short deadline here.
SUBJECT_REQUEST_DEADLINE = datetime.timedelta(hours=72)


class SubjectRequestQuerySet(ScopedQuerySet):
    kelurahan_lookup = "kelurahan"


@history.track()
class SubjectRequest(TimeStampedModel):
    """A data subject's request (permintaan subjek data) with its 3 x 24 hour deadline."""

    kind = models.CharField(_("jenis permintaan"), max_length=20, choices=SubjectRequestKind.choices)
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan"))
    household = models.ForeignKey(
        "beneficiaries.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("keluarga"),
    )
    member = models.ForeignKey(
        "beneficiaries.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("anggota keluarga (subjek data)"),
    )
    requester_name = models.CharField(_("nama pemohon"), max_length=150)
    requester_contact = models.CharField(_("kontak pemohon"), max_length=150, blank=True)
    detail = models.TextField(_("isi permintaan"))
    received_at = models.DateTimeField(_("diterima pada"), default=timezone.now)
    due_at = models.DateTimeField(_("batas waktu"))
    status = models.CharField(
        _("status"), max_length=10, choices=SubjectRequestStatus.choices, default=SubjectRequestStatus.BARU
    )
    response = models.TextField(_("jawaban"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditangani oleh"),
    )
    closed_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dicatat oleh")
    )

    objects = SubjectRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("permintaan subjek data")
        verbose_name_plural = _("permintaan subjek data")
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[SubjectRequestStatus.BARU, SubjectRequestStatus.DIPROSES]) | ~Q(response=""),
                name="grievances_subjectrequest_closed_has_response",
                violation_error_message=_("Permintaan yang ditutup wajib memiliki jawaban tertulis."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="griev_subjreq_status_due_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.requester_name}"

    @property
    def is_open(self) -> bool:
        return self.status in (SubjectRequestStatus.BARU, SubjectRequestStatus.DIPROSES)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.now() > self.due_at

    @property
    def hours_left(self) -> int:
        return int((self.due_at - timezone.now()).total_seconds() // 3600)
