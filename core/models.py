"""Wilayah of Kecamatan Kertapati and the building blocks every app shares."""

import pgtrigger
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.access import is_signed_in
from core.scoping import ScopedQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        abstract = True


class KelurahanQuerySet(ScopedQuerySet):
    kelurahan_lookup = "pk"

    def visible_to(self, user):
        # The list of kelurahan is reference data (the public privacy notice names them): every signed-in user
        # sees all six; only personal data is scoped.
        if not is_signed_in(user):
            return self.none()
        return self.all()


@history.track()
class Kelurahan(models.Model):
    """One of the six kelurahan of Kertapati, with both code systems (docs/domain.md §1.2)."""

    name = models.CharField(_("nama"), max_length=100, unique=True)
    official_name = models.CharField(
        _("ejaan resmi Kemendagri"), max_length=100, help_text=_("Ejaan Kepmendagri 2025, dipakai untuk pencarian.")
    )
    kemendagri_code = models.CharField(_("kode Kemendagri"), max_length=13, unique=True)
    bps_code = models.CharField(_("kode BPS"), max_length=10, unique=True)
    postal_code = models.CharField(_("kode pos"), max_length=5)

    objects = KelurahanQuerySet.as_manager()

    class Meta:
        ordering = ["kemendagri_code"]
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")

    def __str__(self):
        return self.name

    @property
    def compact_code(self) -> str:
        return self.kemendagri_code.replace(".", "")


@history.track()
class RT(models.Model):
    """A Rukun Tetangga, numbered per kelurahan, carrying its current RW (docs/domain.md §1.4).

    RT numbers in Palembang appear unique within a kelurahan rather than within an RW, so the key is
    (kelurahan, number) and the RW is an attribute that admins can change when RTs are renumbered.
    """

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="rts", verbose_name=_("kelurahan"))
    number = models.PositiveSmallIntegerField(_("nomor RT"))
    rw = models.PositiveSmallIntegerField(_("nomor RW"))
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["kelurahan", "number"]
        verbose_name = _("RT")
        verbose_name_plural = _("RT/RW")
        constraints = [
            models.UniqueConstraint(fields=["kelurahan", "number"], name="core_rt_unique_per_kelurahan"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=999), name="core_rt_number_range"),
            models.CheckConstraint(condition=models.Q(rw__gte=1, rw__lte=999), name="core_rt_rw_range"),
        ]

    def __str__(self):
        return f"RT {self.number:03d}/RW {self.rw:03d} {self.kelurahan.name}"


class AuditAction(models.TextChoices):
    LOGIN_SUCCESS = "login_success", _("Berhasil masuk")
    LOGIN_FAILURE = "login_failure", _("Gagal masuk")
    LOCKOUT = "lockout", _("Akun dikunci sementara")
    LOGOUT = "logout", _("Keluar")
    PERMISSION_DENIED = "permission_denied", _("Akses ditolak")
    NIK_REVEAL = "nik_reveal", _("Menampilkan NIK/KK lengkap")
    EXPORT = "export", _("Ekspor data")
    DATA_SUBJECT_REQUEST = "data_subject_request", _("Permintaan subjek data")
    SUPPORT_CASE_OPEN = "support_case_open", _("Membuka kasus dukungan psikososial")
    IMPORT = "import", _("Impor data")
    MERGE = "merge", _("Penggabungan data ganda")
    RETENTION = "retention", _("Anonimisasi/penghapusan lewat masa retensi")
    CARD_REISSUE = "card_reissue", _("Penggantian kartu keluarga")
    OTHER = "other", _("Lainnya")


class AuditEvent(models.Model):
    """Security-relevant events (docs/quality.md S10): who did what to which object, when, from where.

    Append-only: database triggers refuse UPDATE and DELETE, so not even the application can alter it.
    Never stores a password or a full NIK: `detail` holds masked values only.
    """

    created_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pengguna"),
    )
    username = models.CharField(_("nama pengguna"), max_length=150, blank=True)
    action = models.CharField(_("tindakan"), max_length=30, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("jenis objek"), max_length=100, blank=True)
    object_id = models.CharField(_("ID objek"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    path = models.CharField(_("alamat halaman"), max_length=300, blank=True)
    detail = models.JSONField(_("rincian"), default=dict, blank=True)

    class Meta:
        verbose_name = _("catatan audit")
        verbose_name_plural = _("catatan audit")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx")]
        triggers = [
            pgtrigger.Protect(name="audit_append_only_update", operation=pgtrigger.Update),
            pgtrigger.Protect(name="audit_append_only_delete", operation=pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"


class TaskOutbox(models.Model):
    """A Celery message the broker could not take (Redis down), kept until `core.outbox.relay` sends it again."""

    task_id = models.CharField(_("ID tugas"), max_length=255, unique=True)
    name = models.CharField(_("nama tugas"), max_length=200)
    args = models.JSONField(_("argumen"), default=list, blank=True, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(_("argumen bernama"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    options = models.JSONField(_("opsi"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("disimpan pada"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("percobaan kirim ulang"), default=0)
    last_error = models.CharField(_("kesalahan terakhir"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("tugas tertunda")
        verbose_name_plural = _("tugas tertunda (broker tidak tersedia)")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} [{self.task_id}]"
