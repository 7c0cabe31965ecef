"""The registry: Household (one Keluarga / Kartu Keluarga) and Member (one Anggota keluarga).

Field set from Regsosek/DTSEN (docs/domain.md §3.6, §6), code lists in `choices.py`. Desil and DTKS/DTSEN status
are imported attributes with a source and a date: the portal never computes them (docs/domain.md §0.4).
Nothing is hard-deleted from the UI: rows are deactivated with a reason (soft delete).
"""

import datetime
import secrets
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries import choices
from beneficiaries import fields as editable_fields
from beneficiaries.validators import CARD_CODE_ALPHABET, CARD_CODE_LENGTH, validate_kk, validate_nik
from core import history
from core.access import is_signed_in
from core.models import RT, Kelurahan, TimeStampedModel
from core.scoping import ScopedQuerySet


def new_card_token() -> str:
    """Opaque token printed as a QR on the household card: never the NIK or KK (issue: aid delivery)."""
    return secrets.token_urlsafe(18)


def new_card_code() -> str:
    """The short code printed under the QR, typed where a phone cannot scan (`validators.card_code_normalise`)."""
    return "".join(secrets.choice(CARD_CODE_ALPHABET) for _i in range(CARD_CODE_LENGTH))


class HouseholdQuerySet(ScopedQuerySet):
    kelurahan_lookup = "kelurahan"

    def active(self):
        return self.filter(is_active=True)


@history.track()
class Household(TimeStampedModel):
    kk_number = models.CharField(_("nomor KK"), max_length=16, validators=[validate_kk])
    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="households", verbose_name=_("kelurahan")
    )
    rt = models.ForeignKey(RT, on_delete=models.PROTECT, related_name="households", verbose_name=_("RT/RW"))
    address = models.CharField(_("alamat (jalan/lorong)"), max_length=200)
    house_number = models.CharField(_("nomor rumah"), max_length=20, blank=True)
    latitude = models.DecimalField(
        _("lintang"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(-90, message=_("Lintang harus antara -90 dan 90 derajat.")),
            MaxValueValidator(90, message=_("Lintang harus antara -90 dan 90 derajat.")),
        ],
    )
    longitude = models.DecimalField(
        _("bujur"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(-180, message=_("Bujur harus antara -180 dan 180 derajat.")),
            MaxValueValidator(180, message=_("Bujur harus antara -180 dan 180 derajat.")),
        ],
    )
    families_in_house = models.PositiveSmallIntegerField(_("jumlah keluarga dalam rumah"), default=1)

    # Housing (Regsosek 2022 block 3)
    home_ownership = models.PositiveSmallIntegerField(
        _("status kepemilikan rumah"), choices=choices.HomeOwnership.choices, null=True, blank=True
    )
    land_proof = models.PositiveSmallIntegerField(
        _("bukti kepemilikan lahan"), choices=choices.LandProof.choices, null=True, blank=True
    )
    floor_area_m2 = models.DecimalField(
        _("luas lantai (m²)"), max_digits=7, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    floor_material = models.PositiveSmallIntegerField(
        _("lantai terluas"), choices=choices.FloorMaterial.choices, null=True, blank=True
    )
    wall_material = models.PositiveSmallIntegerField(
        _("dinding terluas"), choices=choices.WallMaterial.choices, null=True, blank=True
    )
    roof_material = models.PositiveSmallIntegerField(
        _("atap terluas"), choices=choices.RoofMaterial.choices, null=True, blank=True
    )
    drinking_water = models.PositiveSmallIntegerField(
        _("sumber air minum"), choices=choices.DrinkingWater.choices, null=True, blank=True
    )
    lighting = models.PositiveSmallIntegerField(
        _("sumber penerangan"), choices=choices.Lighting.choices, null=True, blank=True
    )
    installed_power = models.PositiveIntegerField(
        _("daya listrik terpasang"), choices=choices.InstalledPower.choices, null=True, blank=True
    )
    cooking_fuel = models.PositiveSmallIntegerField(
        _("bahan bakar memasak"), choices=choices.CookingFuel.choices, null=True, blank=True
    )
    toilet_facility = models.PositiveSmallIntegerField(
        _("fasilitas BAB"), choices=choices.ToiletFacility.choices, null=True, blank=True
    )
    toilet_type = models.PositiveSmallIntegerField(
        _("jenis kloset"), choices=choices.ToiletType.choices, null=True, blank=True
    )
    faeces_disposal = models.PositiveSmallIntegerField(
        _("pembuangan akhir tinja"), choices=choices.FaecesDisposal.choices, null=True, blank=True
    )

    # Assets, as counts (docs/domain.md §3.6: counts, not booleans)
    asset_lpg_5kg = models.PositiveSmallIntegerField(_("tabung gas 5,5 kg atau lebih"), default=0)
    asset_fridge = models.PositiveSmallIntegerField(_("lemari es"), default=0)
    asset_ac = models.PositiveSmallIntegerField(_("AC"), default=0)
    asset_water_heater = models.PositiveSmallIntegerField(_("pemanas air"), default=0)
    asset_landline = models.PositiveSmallIntegerField(_("telepon rumah"), default=0)
    asset_tv = models.PositiveSmallIntegerField(_("televisi layar datar ≥30 inci"), default=0)
    asset_gold_grams = models.PositiveIntegerField(_("emas/perhiasan (gram)"), default=0)
    asset_computer = models.PositiveSmallIntegerField(_("komputer/laptop/tablet"), default=0)
    asset_motorbike = models.PositiveSmallIntegerField(_("sepeda motor"), default=0)
    asset_bicycle = models.PositiveSmallIntegerField(_("sepeda"), default=0)
    asset_car = models.PositiveSmallIntegerField(_("mobil"), default=0)
    asset_boat = models.PositiveSmallIntegerField(_("perahu"), default=0)
    asset_motorboat = models.PositiveSmallIntegerField(_("perahu motor"), default=0)
    asset_smartphone = models.PositiveSmallIntegerField(_("telepon seluler/smartphone"), default=0)
    asset_land_ha = models.DecimalField(
        _("lahan (ha)"), max_digits=7, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    asset_other_house = models.PositiveSmallIntegerField(_("rumah di tempat lain"), default=0)
    asset_large_livestock = models.PositiveSmallIntegerField(_("ternak besar (sapi/kerbau/kuda)"), default=0)
    asset_small_livestock = models.PositiveSmallIntegerField(_("ternak kecil (kambing/domba/babi)"), default=0)

    # Welfare status, imported (never computed here)
    desil = models.PositiveSmallIntegerField(
        _("desil kesejahteraan"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    is_in_dtks = models.BooleanField(_("terdaftar di DTKS"), null=True, blank=True)
    is_in_dtsen = models.BooleanField(_("terdaftar di DTSEN"), null=True, blank=True)
    welfare_source = models.CharField(_("sumber data kesejahteraan"), max_length=100, blank=True)
    welfare_as_of = models.DateField(_("tanggal data kesejahteraan"), null=True, blank=True)

    card_token = models.CharField(
        _("token kartu keluarga"), max_length=32, unique=True, default=new_card_token, editable=False
    )
    card_code = models.CharField(
        _("kode kartu keluarga"), max_length=CARD_CODE_LENGTH, unique=True, default=new_card_code, editable=False
    )

    # Soft delete
    is_active = models.BooleanField(_("aktif"), default=True)
    removed_at = models.DateTimeField(_("dinonaktifkan pada"), null=True, blank=True)
    removed_reason = models.PositiveSmallIntegerField(
        _("alasan dinonaktifkan"), choices=choices.RemovalReason.choices, null=True, blank=True
    )
    removed_note = models.CharField(_("keterangan"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("didaftarkan oleh"),
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("keluarga")
        verbose_name_plural = _("keluarga")
        permissions = [
            ("reveal_nik", _("Dapat menampilkan NIK dan nomor KK lengkap")),
            ("view_sensitive", _("Dapat melihat data pribadi spesifik (disabilitas, penyakit, anak)")),
            ("export_household", _("Dapat mengekspor daftar keluarga")),
            ("handle_subject_request", _("Dapat melayani permintaan subjek data (UU PDP)")),
        ]
        constraints = [
            # One active household per KK number; removed ones keep their number for history.
            models.UniqueConstraint(
                fields=["kk_number"], condition=Q(is_active=True), name="beneficiaries_household_active_kk_unique"
            ),
            models.CheckConstraint(
                condition=Q(desil__isnull=True) | Q(desil__gte=1, desil__lte=10),
                name="beneficiaries_household_desil_range",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True) | Q(removed_reason__isnull=False),
                name="beneficiaries_household_removed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["kelurahan", "rt"], name="benef_hh_kel_rt_idx"),
            models.Index(fields=["kelurahan", "desil"], name="benef_hh_kel_desil_idx"),
            models.Index(fields=["kk_number"], name="benef_hh_kk_idx"),
            # Keyset pagination of the list inside one kelurahan (newest first) at 1M rows.
            models.Index(fields=["kelurahan", "-id"], name="benef_hh_kel_id_idx"),
        ]

    def __str__(self):
        return _("Keluarga KK %(kk)s") % {"kk": self.kk_number[:4] + "********" + self.kk_number[-4:]}

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise ValidationError(
                {missing: _("Lokasi GPS: isi lintang dan bujur bersama-sama, atau kosongkan keduanya.")},
                code="gps_pair",
            )


class MemberQuerySet(ScopedQuerySet):
    kelurahan_lookup = "household__kelurahan"

    def active(self):
        return self.filter(is_active=True)


@history.track()
class Member(TimeStampedModel):
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("keluarga"),
        db_index=False,  # benef_member_hh_rel_idx (household, relationship) serves every lookup by household
    )
    nik = models.CharField(_("NIK"), max_length=16, null=True, blank=True, validators=[validate_nik])
    nik_missing_reason = models.PositiveSmallIntegerField(
        _("alasan belum ada NIK"), choices=choices.NikMissingReason.choices, null=True, blank=True
    )
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    sex = models.PositiveSmallIntegerField(_("jenis kelamin"), choices=choices.Sex.choices)
    birth_place = models.CharField(_("tempat lahir"), max_length=100, blank=True)
    birth_date = models.DateField(_("tanggal lahir"))
    relationship = models.PositiveSmallIntegerField(
        _("hubungan dalam keluarga (SHDK)"), choices=choices.Relationship.choices
    )
    marital_status = models.PositiveSmallIntegerField(
        _("status perkawinan"), choices=choices.MaritalStatus.choices, null=True, blank=True
    )
    religion = models.PositiveSmallIntegerField(_("agama"), choices=choices.Religion.choices, null=True, blank=True)
    education = models.PositiveSmallIntegerField(
        _("pendidikan terakhir"), choices=choices.Education.choices, null=True, blank=True
    )
    school_participation = models.PositiveSmallIntegerField(
        _("partisipasi sekolah"), choices=choices.SchoolParticipation.choices, null=True, blank=True
    )
    occupation = models.PositiveSmallIntegerField(
        _("pekerjaan"), choices=choices.Occupation.choices, null=True, blank=True
    )
    # Specific personal data under UU PDP (Pasal 4): shown only to roles with beneficiaries.view_sensitive.
    disability = models.PositiveSmallIntegerField(
        _("disabilitas"), choices=choices.Disability.choices, null=True, blank=True
    )
    chronic_illness = models.PositiveSmallIntegerField(
        _("penyakit kronis/menahun"), choices=choices.ChronicIllness.choices, null=True, blank=True
    )

    is_active = models.BooleanField(_("aktif"), default=True)
    removed_at = models.DateTimeField(_("dinonaktifkan pada"), null=True, blank=True)
    removed_reason = models.PositiveSmallIntegerField(
        _("alasan dinonaktifkan"), choices=choices.RemovalReason.choices, null=True, blank=True
    )
    removed_note = models.CharField(_("keterangan"), max_length=300, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("anggota keluarga")
        verbose_name_plural = _("anggota keluarga")
        constraints = [
            models.UniqueConstraint(
                fields=["nik"], condition=Q(is_active=True), name="beneficiaries_member_active_nik_unique"
            ),
            # A missing NIK needs a recorded reason (docs/domain.md §2.1 rule 7).
            models.CheckConstraint(
                condition=Q(nik__isnull=False) | Q(nik_missing_reason__isnull=False),
                name="beneficiaries_member_nik_or_reason",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True) | Q(removed_reason__isnull=False),
                name="beneficiaries_member_removed_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["household", "relationship"], name="benef_member_hh_rel_idx"),
            models.Index(fields=["birth_date"], name="benef_member_birth_idx"),
            GinIndex(fields=["full_name"], opclasses=["gin_trgm_ops"], name="benef_member_name_trgm"),
            # NIK lookups that include removed members (history, duplicate review, data-subject requests).
            models.Index(fields=["nik"], name="benef_member_nik_idx"),
        ]

    def __str__(self):
        return self.full_name


@history.track()
class Consent(TimeStampedModel):
    """A consent record (UU PDP Pasal 20): who consented, when, to which notice version, for what; withdrawable."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="consents", verbose_name=_("keluarga")
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("yang memberi persetujuan"),
    )
    consenter_name = models.CharField(_("nama pemberi persetujuan"), max_length=150)
    purpose = models.CharField(_("tujuan"), max_length=20, choices=choices.ConsentPurpose.choices)
    notice_version = models.CharField(_("versi pemberitahuan privasi"), max_length=20)
    consented_on = models.DateField(_("tanggal persetujuan"))
    withdrawn_on = models.DateField(_("tanggal penarikan"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )

    class Meta:
        verbose_name = _("persetujuan")
        verbose_name_plural = _("persetujuan")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("consented_on")),
                name="beneficiaries_consent_withdrawn_after_given",
            ),
        ]

    def __str__(self):
        return f"{self.consenter_name} · {self.get_purpose_display()}"


class DuplicateFlagQuerySet(ScopedQuerySet):
    kelurahan_lookup = "member__household__kelurahan"

    def open(self):
        return self.filter(status=DuplicateFlag.Status.OPEN)


@history.track()
class DuplicateFlag(TimeStampedModel):
    """A pair of members that look like the same person, waiting for a human decision (openIMIS-style)."""

    class Kind(models.TextChoices):
        NAME_BIRTH = "name_birth", _("Nama mirip dan tanggal lahir sama")
        NIK_PREFIX = "nik_prefix", _("Awal NIK dan tanggal lahir sama, nama mirip")
        SAME_KK = "same_kk", _("Nomor KK sama di dua keluarga")

    class Status(models.TextChoices):
        OPEN = "open", _("Menunggu pemeriksaan")
        MERGED = "merged", _("Digabung")
        DISMISSED = "dismissed", _("Bukan data ganda")

    class Action(models.TextChoices):
        DISMISS = "dismiss", _("Bukan orang yang sama")
        MERGE = "merge", _("Gabungkan")

    #: What a reviewer may do in each status (services.duplicate_transition).
    ACTIONS: ClassVar[dict[str, tuple[str, ...]]] = {Status.OPEN: (Action.DISMISS, Action.MERGE)}

    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("anggota"))
    other = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("anggota lain"))
    score = models.FloatField(_("kemiripan nama"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diperiksa oleh"),
    )
    reviewed_at = models.DateTimeField(_("diperiksa pada"), null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=300, blank=True)

    objects = DuplicateFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("dugaan data ganda")
        verbose_name_plural = _("dugaan data ganda")
        constraints = [
            # One flag per pair, stored in id order, so re-running detection never adds a second one.
            models.UniqueConstraint(fields=["member", "other"], name="beneficiaries_dupflag_pair_unique"),
            models.CheckConstraint(condition=Q(member__lt=models.F("other")), name="beneficiaries_dupflag_ordered"),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="benef_dupflag_status_idx")]

    def __str__(self):
        return f"{self.member} ~ {self.other}"


class HouseholdFlagQuerySet(ScopedQuerySet):
    kelurahan_lookup = "household__kelurahan"

    def open(self):
        return self.filter(status=HouseholdFlag.Status.OPEN)


@history.track()
class HouseholdFlag(TimeStampedModel):
    """A household that breaks a registry rule, waiting for a person to fix it: the data-quality sibling of
    DuplicateFlag, in the same queue. Today the rule is "exactly one active Kepala Keluarga" (SHDK 1); households
    registered before the services enforced it are found by `household_flags_detect` (nightly and after imports).
    """

    class Kind(models.TextChoices):
        NO_HEAD = "no_head", _("Tidak ada Kepala Keluarga")
        TWO_HEADS = "two_heads", _("Lebih dari satu Kepala Keluarga")

    class Status(models.TextChoices):
        OPEN = "open", _("Perlu diperbaiki")
        RESOLVED = "resolved", _("Sudah diperbaiki")

    class Action(models.TextChoices):
        RESOLVE = "resolve", _("Tandai sudah diperbaiki")

    #: What a reviewer may do in each status (services.household_flag_transition).
    ACTIONS: ClassVar[dict[str, tuple[str, ...]]] = {Status.OPEN: (Action.RESOLVE,)}

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="quality_flags", verbose_name=_("keluarga")
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    heads = models.PositiveSmallIntegerField(_("jumlah Kepala Keluarga saat ditemukan"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diperbaiki oleh"),
    )
    resolved_at = models.DateTimeField(_("diperbaiki pada"), null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=300, blank=True)

    objects = HouseholdFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("masalah data keluarga")
        verbose_name_plural = _("masalah data keluarga")
        constraints = [
            # One open flag per household and kind, so re-running detection never adds a second one.
            models.UniqueConstraint(
                fields=["household", "kind"], condition=Q(status="open"), name="beneficiaries_hhflag_open_unique"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="benef_hhflag_status_idx")]

    def __str__(self):
        return f"{self.household} · {self.get_kind_display()}"


class ImportBatchQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # A batch is the uploader's own work; admins see every batch.
        if not is_signed_in(user):
            return self.none()
        if user.kelurahan_scope() is None:
            return self
        return self.filter(uploaded_by=user)


class ImportBatch(TimeStampedModel):
    """One uploaded file: staged, validated in the background, previewed, then committed or cancelled."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Diunggah")
        VALIDATING = "validating", _("Sedang diperiksa")
        VALIDATED = "validated", _("Siap ditinjau")
        COMMITTING = "committing", _("Sedang disimpan")
        COMMITTED = "committed", _("Tersimpan")
        CANCELLED = "cancelled", _("Dibatalkan")
        FAILED = "failed", _("Gagal")

    class Action(models.TextChoices):
        COMMIT = "commit", _("Simpan ke registri")
        CANCEL = "cancel", _("Batalkan")
        RETRY = "retry", _("Coba lagi")

    #: What the uploader may do to a batch in each status (services.importing.import_batch_transition).
    ACTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        Status.UPLOADED: (Action.CANCEL,),
        Status.VALIDATING: (Action.CANCEL,),
        Status.VALIDATED: (Action.COMMIT, Action.CANCEL),
        Status.FAILED: (Action.CANCEL,),
    }
    #: A background step that shows no sign of life for this long is stuck (its task was lost or its worker
    #: died): the page then offers to start it again or to cancel. Validation writes a heartbeat every
    #: 10,000 rows; a commit is one transaction, bounded by the Celery time limit (30 minutes).
    STUCK_AFTER = {
        Status.UPLOADED: datetime.timedelta(minutes=15),
        Status.VALIDATING: datetime.timedelta(minutes=15),
        Status.COMMITTING: datetime.timedelta(minutes=40),
    }

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diunggah oleh"),
    )
    file = models.FileField(_("berkas"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("nama berkas"), max_length=200)
    file_hash = models.CharField(_("sidik berkas (SHA-256)"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(_("jumlah baris"), default=0)
    processed_rows = models.PositiveIntegerField(_("baris diperiksa"), default=0)
    accepted_rows = models.PositiveIntegerField(_("baris diterima"), default=0)
    rejected_rows = models.PositiveIntegerField(_("baris ditolak"), default=0)
    households_created = models.PositiveIntegerField(_("keluarga baru"), default=0)
    households_updated = models.PositiveIntegerField(_("keluarga diperbarui"), default=0)
    members_created = models.PositiveIntegerField(_("anggota baru"), default=0)
    members_updated = models.PositiveIntegerField(_("anggota diperbarui"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("baris tanpa perubahan"), default=0)
    message = models.CharField(_("pesan"), max_length=500, blank=True)
    is_retryable = models.BooleanField(
        _("dapat dicoba lagi"), default=False, help_text=_("Gagal karena sistem (bukan isi berkas): dapat dicoba lagi.")
    )
    # The import keys of the file's header row: a column the file does not have leaves the registry's values
    # as they are (an older template must not clear the assets). Empty for batches read before it was kept.
    columns = models.JSONField(_("kolom berkas"), default=list, blank=True)
    committed_at = models.DateTimeField(_("disimpan pada"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("impor data keluarga")
        verbose_name_plural = _("impor data keluarga")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in (self.Status.UPLOADED, self.Status.VALIDATING) else 100
        return min(100, int(self.processed_rows * 100 / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.VALIDATING, self.Status.COMMITTING)

    def is_stuck(self, now: datetime.datetime | None = None) -> bool:
        limit = self.STUCK_AFTER.get(self.status)
        return limit is not None and self.updated_at < (now or timezone.now()) - limit

    def allowed_actions(self, now: datetime.datetime | None = None) -> tuple:
        """The buttons of the import page: the status's actions, "Coba lagi" after a system failure, and
        "Coba lagi"/"Batalkan" for a stuck step."""
        actions = list(self.ACTIONS.get(self.status, ()))
        if self.status == self.Status.FAILED and self.is_retryable:
            actions.insert(0, self.Action.RETRY)
        if self.is_stuck(now):
            actions = [self.Action.RETRY, *(a for a in (self.Action.CANCEL,) if a not in actions), *actions]
        return tuple(dict.fromkeys(actions))

    @property
    def actions(self) -> tuple:
        return self.allowed_actions()


class ImportRow(models.Model):
    """One staged member row of a batch, normalised, with its errors (Indonesian, naming row and column)."""

    # No foreign-key constraint in the database: a check per staged row cost ~5 s per 400,000 rows (P4). Rows are
    # written only by the import for a batch it has just read, and deleted with it (CASCADE, done by Django).
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rows", verbose_name=_("impor"), db_constraint=False
    )
    row_number = models.PositiveIntegerField(_("baris"))
    kk_number = models.CharField(_("nomor KK"), max_length=16, blank=True)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    # The row as read, typed like the registry's columns (NULL where the cell was empty or wrong), so that the
    # preview and the commit run as set-based SQL over this table (docs/quality.md P4).
    kelurahan_id = models.BigIntegerField(_("kelurahan"), null=True, blank=True)
    rt_id = models.BigIntegerField(_("RT"), null=True, blank=True)
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    house_number = models.CharField(_("nomor rumah"), max_length=20, blank=True)
    desil = models.PositiveSmallIntegerField(_("desil"), null=True, blank=True)
    nik_missing_reason = models.PositiveSmallIntegerField(_("alasan tanpa NIK"), null=True, blank=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    sex = models.PositiveSmallIntegerField(_("jenis kelamin"), null=True, blank=True)
    birth_place = models.CharField(_("tempat lahir"), max_length=100, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    relationship = models.PositiveSmallIntegerField(_("hubungan dalam keluarga"), null=True, blank=True)
    marital_status = models.PositiveSmallIntegerField(_("status perkawinan"), null=True, blank=True)
    religion = models.PositiveSmallIntegerField(_("agama"), null=True, blank=True)
    education = models.PositiveSmallIntegerField(_("pendidikan"), null=True, blank=True)
    school_participation = models.PositiveSmallIntegerField(_("partisipasi sekolah"), null=True, blank=True)
    occupation = models.PositiveSmallIntegerField(_("pekerjaan"), null=True, blank=True)
    errors = models.JSONField(_("kesalahan"), default=list)
    is_accepted = models.BooleanField(_("diterima"), default=False)

    class Meta:
        verbose_name = _("baris impor")
        verbose_name_plural = _("baris impor")
        ordering = ["batch", "row_number"]
        indexes = [models.Index(fields=["batch", "is_accepted", "row_number"], name="benef_importrow_batch_idx")]

    def __str__(self):
        return f"{self.batch_id}:{self.row_number}"


def _staged_copy(field: models.Field) -> models.Field:
    """A staging column typed like the registry's field: NULL (or "") where the cell was empty or wrong."""
    kwargs = {"verbose_name": field.verbose_name, "blank": True}
    if isinstance(field, models.CharField):
        kwargs.update(max_length=field.max_length, default="")
    else:
        kwargs["null"] = True
    if isinstance(field, models.DecimalField):
        kwargs.update(max_digits=field.max_digits, decimal_places=field.decimal_places)
    return type(field)(**kwargs)


# The household's other columns of the import file (housing, welfare status, assets, GPS): one staging column
# each, made from the field list, so that a field added to `beneficiaries.fields` is staged without another list.
for _field in editable_fields.HOUSEHOLD_DETAILS:
    ImportRow.add_to_class(_field.name, _staged_copy(Household._meta.get_field(_field.name)))
del _field
