"""Social-institution aid: institutions, sembako rounds, entitlements, deliveries, stock, psychosocial support.

Invariants live in the database (docs/architecture.md §6 rule 3): one Delivery per Entitlement (OneToOne), one Entitlement per
household and round, a device-chosen `client_uuid` unique per delivery record. Delivered quantities are never
stored: they are counted from Delivery rows (docs/architecture.md §7: stored counters drift).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core import history
from core.access import is_signed_in
from core.models import Kelurahan, TimeStampedModel
from core.scoping import ScopedQuerySet


def _is_worker(user) -> bool:
    return getattr(user, "role", None) == Role.PETUGAS_LEMBAGA and not user.is_superuser


# --------------------------------------------------------------------------------------------------------------
# Institutions
# --------------------------------------------------------------------------------------------------------------


class InstitutionKind(models.TextChoices):
    LKS = "lks", _("LKS (Lembaga Kesejahteraan Sosial)")
    LKSA = "lksa", _("LKSA (Lembaga Kesejahteraan Sosial Anak)")
    RELIGIOUS = "keagamaan", _("Lembaga keagamaan")
    NGO = "ngo", _("LSM/NGO")
    CSR = "csr", _("CSR perusahaan")
    GOVERNMENT = "pemerintah", _("Instansi pemerintah")


class InstitutionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not is_signed_in(user):
            return self.none()
        if _is_worker(user):
            return self.filter(memberships__user=user)
        return self.all()


@history.track()
class Institution(TimeStampedModel):
    name = models.CharField(_("nama lembaga"), max_length=200, unique=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=InstitutionKind.choices)
    registration_number = models.CharField(_("nomor tanda daftar"), max_length=100, blank=True)
    address = models.CharField(_("alamat"), max_length=300)
    contact_name = models.CharField(_("narahubung"), max_length=150, blank=True)
    contact_phone = models.CharField(_("telepon narahubung"), max_length=20, blank=True)
    kelurahan_served = models.ManyToManyField(
        Kelurahan, blank=True, related_name="institutions", verbose_name=_("kelurahan yang dilayani")
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("lembaga")
        verbose_name_plural = _("lembaga")

    def __str__(self):
        return self.name


@history.track()
class InstitutionMembership(TimeStampedModel):
    """Links a Petugas Lembaga to an institution (docs/architecture.md §4: the scope lives here, not on User)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="institution_memberships",
        verbose_name=_("pengguna"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("lembaga")
    )
    is_counsellor = models.BooleanField(_("konselor"), default=False)

    class Meta:
        verbose_name = _("anggota lembaga")
        verbose_name_plural = _("anggota lembaga")
        constraints = [
            models.UniqueConstraint(fields=["user", "institution"], name="aid_membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.institution}"


# --------------------------------------------------------------------------------------------------------------
# Commodities and packages
# --------------------------------------------------------------------------------------------------------------


@history.track()
class Commodity(models.Model):
    name = models.CharField(_("nama komoditas"), max_length=100, unique=True)
    unit = models.CharField(_("satuan"), max_length=20, help_text=_("mis. kg, liter, butir, bungkus"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("komoditas")
        verbose_name_plural = _("komoditas")

    def __str__(self):
        return f"{self.name} ({self.unit})"


@history.track()
class AidPackage(TimeStampedModel):
    name = models.CharField(_("nama paket"), max_length=150, unique=True)
    estimated_value = models.BigIntegerField(_("perkiraan nilai (Rp)"), default=0)
    commodities = models.ManyToManyField(Commodity, through="PackageItem", verbose_name=_("isi paket"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("paket bantuan")
        verbose_name_plural = _("paket bantuan")
        constraints = [
            models.CheckConstraint(condition=Q(estimated_value__gte=0), name="aid_package_value_non_negative"),
        ]

    def __str__(self):
        return self.name


@history.track()
class PackageItem(models.Model):
    package = models.ForeignKey(AidPackage, on_delete=models.CASCADE, related_name="items", verbose_name=_("paket"))
    commodity = models.ForeignKey(Commodity, on_delete=models.PROTECT, related_name="+", verbose_name=_("komoditas"))
    quantity = models.DecimalField(_("jumlah"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["package", "commodity__name"]
        verbose_name = _("isi paket")
        verbose_name_plural = _("isi paket")
        constraints = [
            models.UniqueConstraint(fields=["package", "commodity"], name="aid_package_item_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="aid_package_item_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.commodity.name} {self.quantity} {self.commodity.unit}"


# --------------------------------------------------------------------------------------------------------------
# Rounds, entitlements, deliveries
# --------------------------------------------------------------------------------------------------------------


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Diajukan")
    APPROVED = "approved", _("Disetujui")
    DISTRIBUTING = "distributing", _("Sedang disalurkan")
    CLOSED = "closed", _("Ditutup")


class RoundAction(models.TextChoices):
    """The status changes of a round (`services.round_transition`); the labels are the buttons' text."""

    SUBMIT = "submit", _("Ajukan ke kecamatan")
    RETURN = "return", _("Kembalikan ke draf")
    APPROVE = "approve", _("Setujui")
    START = "start", _("Mulai penyaluran")
    CLOSE = "close", _("Tutup putaran")


#: Entitlements may change only while a round is still awaiting approval (issue 5 item 3).
EDITABLE_STATUSES = (RoundStatus.DRAFT, RoundStatus.SUBMITTED)
OPEN_STATUSES = (RoundStatus.APPROVED, RoundStatus.DISTRIBUTING)


class DistributionRoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Workers see their institutions' rounds; Staf Kecamatan and Admin see all; other roles none."""
        if not is_signed_in(user):
            return self.none()
        if _is_worker(user):
            return self.filter(institution__memberships__user=user)
        if user.is_admin_role or user.role == Role.STAF_KECAMATAN:
            return self.all()
        return self.none()


@history.track()
class DistributionRound(TimeStampedModel):
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("lembaga")
    )
    name = models.CharField(_("nama putaran"), max_length=150)
    period = models.DateField(_("periode (bulan)"), help_text=_("Selalu tanggal 1 pada bulan penyaluran."))
    package = models.ForeignKey(AidPackage, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("paket"))
    status = models.CharField(_("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("diajukan pada"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disetujui oleh"),
    )
    approved_at = models.DateTimeField(_("disetujui pada"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)

    objects = DistributionRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "institution__name", "name"]
        verbose_name = _("putaran penyaluran")
        verbose_name_plural = _("putaran penyaluran")
        permissions = [
            ("approve_distributionround", _("Dapat menyetujui putaran penyaluran")),
            ("view_coordination", _("Dapat melihat koordinasi antarlembaga")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(period__day=1), name="aid_round_period_first_of_month"),
            models.CheckConstraint(
                condition=Q(status__in=[RoundStatus.DRAFT, RoundStatus.SUBMITTED]) | Q(approved_by__isnull=False),
                name="aid_round_approved_has_approver",
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="aid_round_period_status_idx")]

    def __str__(self):
        return f"{self.name} · {self.institution.name} · {self.period:%m/%Y}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status == RoundStatus.CLOSED


class EntitlementQuerySet(ScopedQuerySet):
    kelurahan_lookup = "household__kelurahan"

    def visible_to(self, user):
        if not is_signed_in(user):
            return self.none()
        if _is_worker(user):
            return self.filter(round__institution__memberships__user=user)
        return super().visible_to(user)


@history.track()
class Entitlement(models.Model):
    round = models.ForeignKey(
        DistributionRound, on_delete=models.CASCADE, related_name="entitlements", verbose_name=_("putaran")
    )
    household = models.ForeignKey(
        "beneficiaries.Household", on_delete=models.PROTECT, related_name="aid_entitlements", verbose_name=_("keluarga")
    )
    added_at = models.DateTimeField(_("ditambahkan pada"), auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = EntitlementQuerySet.as_manager()

    class Meta:
        ordering = ["round", "id"]
        verbose_name = _("hak penerima")
        verbose_name_plural = _("hak penerima")
        constraints = [
            models.UniqueConstraint(fields=["household", "round"], name="aid_entitlement_household_round_unique"),
        ]

    def __str__(self):
        return f"{self.round_id}/{self.household_id}"


class DeliveryQuerySet(ScopedQuerySet):
    kelurahan_lookup = "entitlement__household__kelurahan"

    def visible_to(self, user):
        if not is_signed_in(user):
            return self.none()
        if _is_worker(user):
            return self.filter(entitlement__round__institution__memberships__user=user)
        return super().visible_to(user)


def delivery_photo_path(instance, filename: str) -> str:
    # Never a NIK or a name in a file name (docs/architecture.md §6): the device's uuid is opaque.
    return f"aid/deliveries/{instance.client_uuid}.jpg"


@history.track()
class Delivery(models.Model):
    """The one handover of a round's package to a household. OneToOne: a second one cannot exist (R1)."""

    entitlement = models.OneToOneField(
        Entitlement, on_delete=models.PROTECT, related_name="delivery", verbose_name=_("hak penerima")
    )
    client_uuid = models.UUIDField(_("ID perangkat"), unique=True, default=uuid.uuid4)
    delivered_at = models.DateTimeField(_("waktu penyerahan"))
    recipient_member = models.ForeignKey(
        "beneficiaries.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("penerima (anggota keluarga)"),
    )
    proxy_name = models.CharField(_("nama penerima kuasa"), max_length=150, blank=True)
    proxy_relation = models.CharField(_("hubungan penerima kuasa"), max_length=100, blank=True)
    photo = models.FileField(_("foto bukti"), upload_to=delivery_photo_path, blank=True)
    latitude = models.DecimalField(_("lintang"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("bujur"), max_digits=9, decimal_places=6, null=True, blank=True)
    notes = models.CharField(_("catatan"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dicatat oleh")
    )
    recorded_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-delivered_at"]
        verbose_name = _("penyerahan")
        verbose_name_plural = _("penyerahan")
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_member__isnull=False) | ~Q(proxy_name=""),
                name="aid_delivery_has_recipient",
                violation_error_message=_("Pilih anggota keluarga penerima atau isi nama penerima kuasa."),
            ),
        ]
        indexes = [models.Index(fields=["delivered_at"], name="aid_delivery_at_idx")]

    def __str__(self):
        return f"{self.entitlement_id} · {self.delivered_at:%d-%m-%Y %H:%M}"

    @property
    def recipient_label(self) -> str:
        if self.recipient_member_id:
            return str(self.recipient_member)
        return f"{self.proxy_name} ({self.proxy_relation})"


class RecordKind(models.TextChoices):
    """What one item of a worker's device records (`services.record_item(kind=…)`, the API's `kind`)."""

    DELIVERED = "delivered", _("Diserahkan")
    UNDELIVERED = "undelivered", _("Tidak tersalurkan")


class UndeliveredReason(models.TextChoices):
    NOT_HOME = "not_home", _("Tidak di rumah")
    MOVED = "moved", _("Pindah")
    REFUSED = "refused", _("Menolak")
    DECEASED = "deceased", _("Meninggal")


@history.track()
class UndeliveredVisit(models.Model):
    """A visit that ended without handover ("tidak tersalurkan"). Several may precede the one Delivery."""

    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.PROTECT, related_name="undelivered_visits", verbose_name=_("hak penerima")
    )
    client_uuid = models.UUIDField(_("ID perangkat"), unique=True, default=uuid.uuid4)
    visited_at = models.DateTimeField(_("waktu kunjungan"))
    reason = models.CharField(_("alasan"), max_length=20, choices=UndeliveredReason.choices)
    notes = models.CharField(_("catatan"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("kunjungan tidak tersalurkan")
        verbose_name_plural = _("kunjungan tidak tersalurkan")

    def __str__(self):
        return f"{self.entitlement_id} · {self.get_reason_display()}"


class StockKind(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    ADJUSTMENT = "adjustment", _("Penyesuaian")


class StockMovementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(round__in=DistributionRound.objects.visible_to(user))


@history.track()
class StockMovement(models.Model):
    """Packages received for a round, or an adjustment (damage, loss, count correction) with its reason."""

    round = models.ForeignKey(
        DistributionRound, on_delete=models.PROTECT, related_name="stock_movements", verbose_name=_("putaran")
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=StockKind.choices)
    quantity = models.IntegerField(_("jumlah paket"), help_text=_("Penyesuaian boleh negatif (rusak, hilang)."))
    reason = models.CharField(_("alasan/keterangan"), max_length=300, blank=True)
    moved_on = models.DateField(_("tanggal"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        ordering = ["round", "moved_on", "id"]
        verbose_name = _("mutasi stok")
        verbose_name_plural = _("mutasi stok")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=StockKind.RECEIVED) | Q(quantity__gt=0), name="aid_stock_received_positive"
            ),
            models.CheckConstraint(
                condition=~Q(kind=StockKind.ADJUSTMENT) | (~Q(quantity=0) & ~Q(reason="")),
                name="aid_stock_adjustment_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity}"


# --------------------------------------------------------------------------------------------------------------
# Psychosocial support (specific personal data of children, UU PDP Pasal 4 and 25)
# --------------------------------------------------------------------------------------------------------------


class SupportCaseStatus(models.TextChoices):
    OPEN = "open", _("Aktif")
    REFERRED = "referred", _("Dirujuk")
    CLOSED = "closed", _("Selesai")


class SupportCaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the assigned counsellors of the case's institution; nobody else, not even Admin (UU PDP)."""
        if not is_signed_in(user):
            return self.none()
        return self.filter(
            counsellors__user=user,
            counsellors__is_counsellor=True,
            counsellors__institution=models.F("institution"),
        ).distinct()


@history.track(exclude=["reason_over_18"])
class SupportCase(TimeStampedModel):
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="support_cases", verbose_name=_("lembaga")
    )
    member = models.ForeignKey(
        "beneficiaries.Member", on_delete=models.PROTECT, related_name="support_cases", verbose_name=_("anak/remaja")
    )
    counsellors = models.ManyToManyField(
        InstitutionMembership, related_name="support_cases", verbose_name=_("konselor yang ditugaskan")
    )
    opened_on = models.DateField(_("tanggal dibuka"))
    reason_over_18 = models.CharField(
        _("alasan (usia 18–24 tahun)"), max_length=300, blank=True, help_text=_("Wajib bila usia 18 tahun atau lebih.")
    )
    guardian_name = models.CharField(_("nama wali yang menyetujui"), max_length=150)
    guardian_relation = models.CharField(_("hubungan wali"), max_length=100)
    consent_on = models.DateField(_("tanggal persetujuan wali"))
    status = models.CharField(
        _("status"), max_length=20, choices=SupportCaseStatus.choices, default=SupportCaseStatus.OPEN
    )
    closed_on = models.DateField(_("tanggal selesai"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = SupportCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("kasus dukungan psikososial")
        verbose_name_plural = _("kasus dukungan psikososial")
        permissions = [("view_supportcase_counts", _("Dapat melihat jumlah kasus dukungan psikososial"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(guardian_name="") & ~Q(guardian_relation=""), name="aid_case_guardian_required"
            ),
            models.CheckConstraint(
                condition=Q(consent_on__lte=models.F("opened_on")), name="aid_case_consent_before_opening"
            ),
        ]

    def __str__(self):
        return _("Kasus #%(id)s") % {"id": self.pk}


class SessionKind(models.TextChoices):
    COUNSELLING = "konseling", _("Konseling")
    GROUP = "kelompok", _("Kegiatan kelompok")
    HOME_VISIT = "kunjungan", _("Kunjungan rumah")
    REFERRAL = "rujukan", _("Rujukan")


@history.track(exclude=["notes"])
class SupportSession(TimeStampedModel):
    case = models.ForeignKey(SupportCase, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("kasus"))
    held_on = models.DateField(_("tanggal"))
    kind = models.CharField(_("jenis"), max_length=20, choices=SessionKind.choices)
    notes = models.TextField(_("catatan"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("sesi dukungan")
        verbose_name_plural = _("sesi dukungan")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.held_on:%d-%m-%Y}"
