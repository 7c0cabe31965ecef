"""The registry: Household (one Keluarga / Kartu Keluarga) and Member (one Anggota keluarga).

Field set from Regsosek/DTSEN (domain.md §3.6, §6), code lists in `choices.py`. Desil and DTKS/DTSEN status
are imported attributes with a source and a date: the portal never computes them (domain.md §0.4).
Nothing is hard-deleted from the UI: rows are deactivated with a reason (soft delete).
"""

import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beneficiaries import choices
from beneficiaries.validators import validate_kk, validate_nik
from core import history
from core.models import RT, Kelurahan, TimeStampedModel
from core.scoping import ScopedQuerySet


def new_card_token() -> str:
    """Opaque token printed as a QR on the household card: never the NIK or KK (issue: aid delivery)."""
    return secrets.token_urlsafe(18)


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
    latitude = models.DecimalField(_("lintang"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("bujur"), max_digits=9, decimal_places=6, null=True, blank=True)
    families_in_house = models.PositiveSmallIntegerField(_("jumlah keluarga dalam rumah"), default=1)

    # Housing (Regsosek 2022 block 3)
    home_ownership = models.PositiveSmallIntegerField(
        _("status kepemilikan rumah"), choices=choices.HomeOwnership.choices, null=True, blank=True
    )
    land_proof = models.PositiveSmallIntegerField(
        _("bukti kepemilikan lahan"), choices=choices.LandProof.choices, null=True, blank=True
    )
    floor_area_m2 = models.DecimalField(_("luas lantai (m²)"), max_digits=7, decimal_places=1, null=True, blank=True)
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

    # Assets, as counts (domain.md §3.6: counts, not booleans)
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
    asset_land_ha = models.DecimalField(_("lahan (ha)"), max_digits=7, decimal_places=2, default=0)
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
        ]

    def __str__(self):
        return _("Keluarga KK %(kk)s") % {"kk": self.kk_number[:4] + "********" + self.kk_number[-4:]}


class MemberQuerySet(ScopedQuerySet):
    kelurahan_lookup = "household__kelurahan"

    def active(self):
        return self.filter(is_active=True)


@history.track()
class Member(TimeStampedModel):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("keluarga")
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
            # A missing NIK needs a recorded reason (domain.md §2.1 rule 7).
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
