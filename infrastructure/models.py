"""Infrastructure projects (roads, bridges, public facilities) and their progress reports (issue 6)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core import history
from core.access import is_signed_in
from core.models import RT, Kelurahan, TimeStampedModel
from core.scoping import ScopedQuerySet

# Plausible coordinates for a project of the kecamatan: Indonesia's bounding box. A point outside it is
# almost always lat/lng swapped or a missing minus sign, which the error message says.
LAT_RANGE = (-11.5, 6.5)
LNG_RANGE = (94.0, 141.5)
ROUTE_MAX_POINTS = 500


class ProjectKind(models.TextChoices):
    JALAN = "jalan", _("Jalan")
    JEMBATAN = "jembatan", _("Jembatan")
    DRAINASE = "drainase", _("Drainase")
    FASILITAS_UMUM = "fasilitas_umum", _("Fasilitas umum")
    AIR_BERSIH = "air_bersih", _("Air bersih")
    SANITASI = "sanitasi", _("Sanitasi")
    LAINNYA = "lainnya", _("Lainnya")


class FundingSource(models.TextChoices):
    APBN = "apbn", _("APBN")
    APBD_PROVINSI = "apbd_provinsi", _("APBD Provinsi")
    APBD_KOTA = "apbd_kota", _("APBD Kota")
    DANA_KELURAHAN = "dana_kelurahan", _("Dana Kelurahan")
    CSR = "csr", _("CSR")
    SWADAYA = "swadaya", _("Swadaya masyarakat")


class ProjectStatus(models.TextChoices):
    USULAN = "usulan", _("Usulan (Musrenbang)")
    DIRENCANAKAN = "direncanakan", _("Direncanakan")
    TENDER = "tender", _("Tender/pengadaan")
    KONSTRUKSI = "konstruksi", _("Konstruksi")
    SELESAI = "selesai", _("Selesai")
    DISERAHTERIMAKAN = "diserahterimakan", _("Diserahterimakan")
    DIHENTIKAN = "dihentikan", _("Dihentikan")


#: The only moves a project may make; every other change of status is refused by the service.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProjectStatus.USULAN: (ProjectStatus.DIRENCANAKAN, ProjectStatus.DIHENTIKAN),
    ProjectStatus.DIRENCANAKAN: (ProjectStatus.TENDER, ProjectStatus.DIHENTIKAN),
    ProjectStatus.TENDER: (ProjectStatus.KONSTRUKSI, ProjectStatus.DIHENTIKAN),
    ProjectStatus.KONSTRUKSI: (ProjectStatus.SELESAI, ProjectStatus.DIHENTIKAN),
    ProjectStatus.SELESAI: (ProjectStatus.DISERAHTERIMAKAN,),
    ProjectStatus.DISERAHTERIMAKAN: (),
    ProjectStatus.DIHENTIKAN: (),
}
#: Statuses in which work is still to be done, so a passed planned end date is a delay.
OPEN_STATUSES = (ProjectStatus.DIRENCANAKAN, ProjectStatus.TENDER, ProjectStatus.KONSTRUKSI)
FINISHED_STATUSES = (ProjectStatus.SELESAI, ProjectStatus.DISERAHTERIMAKAN)


class Connection(models.TextChoices):
    PASAR = "pasar", _("Pasar")
    FASILITAS_KESEHATAN = "fasilitas_kesehatan", _("Puskesmas/fasilitas kesehatan")
    SEKOLAH = "sekolah", _("Sekolah")
    KELURAHAN_LAIN = "kelurahan_lain", _("Kelurahan lain")


class SizeUnit(models.TextChoices):
    METER = "m", _("meter")
    KILOMETER = "km", _("kilometer")
    SQUARE_METER = "m2", _("m²")
    CUBIC_METER = "m3", _("m³")
    UNIT = "unit", _("unit")
    TITIK = "titik", _("titik")


def _latest_update(field: str):
    return Subquery(
        ProgressUpdate.objects.filter(project=OuterRef("pk")).order_by("-reported_on", "-pk").values(field)[:1]
    )


class InfrastructureProjectQuerySet(ScopedQuerySet):
    kelurahan_lookup = "kelurahan_served"

    def visible_to(self, user):
        if not is_signed_in(user):
            return self.none()
        if not user.has_perm("infrastructure.view_infrastructureproject"):
            return self.none()
        # Projects are public works, not personal data: leadership reads all of them (read-only).
        if user.role == Role.PIMPINAN:
            return self.all()
        return self.in_kelurahan_scope(user)

    def in_kelurahan_scope(self, user):
        scope = user.kelurahan_scope()
        if scope is None:
            return self
        if not scope:
            return self.none()
        # A project serving two kelurahan of the scope would appear twice with a plain join over the M2M;
        # a subquery keeps one row per project without DISTINCT (which fights with ORDER BY/annotations).
        served = InfrastructureProject.kelurahan_served.through.objects.filter(kelurahan_id__in=scope)
        return self.filter(pk__in=served.values("infrastructureproject_id"))

    def serving(self, kelurahan_id: int):
        served = InfrastructureProject.kelurahan_served.through.objects.filter(kelurahan_id=kelurahan_id)
        return self.filter(pk__in=served.values("infrastructureproject_id"))

    def with_progress(self):
        """Latest physical progress, cumulative spending and report date, in the same query (no N+1)."""
        return self.annotate(
            latest_progress=_latest_update("physical_progress"),
            latest_spent=_latest_update("spent_cumulative"),
            latest_reported_on=_latest_update("reported_on"),
        )


@history.track()
class InfrastructureProject(TimeStampedModel):
    """A public work of the kecamatan: a road, bridge, drain or facility, from Musrenbang proposal to handover."""

    name = models.CharField(_("nama proyek"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=ProjectKind.choices)
    description = models.TextField(_("uraian"), blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("tahun anggaran"))
    kelurahan_served = models.ManyToManyField(
        Kelurahan, related_name="infrastructure_projects", verbose_name=_("kelurahan yang dilayani")
    )
    rts = models.ManyToManyField(
        RT, blank=True, related_name="infrastructure_projects", verbose_name=_("RT/RW yang dilayani")
    )
    latitude = models.DecimalField(_("lintang"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("bujur"), max_digits=9, decimal_places=6, null=True, blank=True)
    route = models.JSONField(
        _("lintasan"),
        default=list,
        blank=True,
        help_text=_("Untuk jalan/drainase: daftar titik [lintang, bujur] yang digambar di peta."),
    )
    size_value = models.DecimalField(_("panjang/ukuran"), max_digits=12, decimal_places=2, null=True, blank=True)
    size_unit = models.CharField(_("satuan"), max_length=10, choices=SizeUnit.choices, blank=True)
    budget = models.BigIntegerField(_("pagu anggaran (Rp)"), default=0)
    funding_source = models.CharField(_("sumber dana"), max_length=20, choices=FundingSource.choices)
    contractor = models.CharField(_("pelaksana/kontraktor"), max_length=200, blank=True)
    contract_number = models.CharField(_("nomor kontrak"), max_length=100, blank=True)
    planned_start_on = models.DateField(_("rencana mulai"), null=True, blank=True)
    planned_end_on = models.DateField(_("rencana selesai"), null=True, blank=True)
    actual_start_on = models.DateField(_("mulai aktual"), null=True, blank=True)
    actual_end_on = models.DateField(_("selesai aktual"), null=True, blank=True)
    handed_over_on = models.DateField(_("tanggal serah terima"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.USULAN, editable=False
    )
    halt_reason = models.TextField(_("alasan dihentikan"), blank=True, editable=False)
    connects = ArrayField(
        models.CharField(max_length=30, choices=Connection.choices),
        default=list,
        blank=True,
        verbose_name=_("menghubungkan ke"),
    )
    households_served = models.PositiveIntegerField(_("perkiraan KK terlayani"), null=True, blank=True)
    # Written by flag_delayed_projects_task (recomputed on every run, labelled with its time).
    is_delayed = models.BooleanField(_("perlu perhatian"), default=False, editable=False)
    delay_reason = models.TextField(_("alasan perlu perhatian"), blank=True, editable=False)
    delay_computed_at = models.DateTimeField(_("dihitung pada"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("dibuat oleh"),
    )

    objects = InfrastructureProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "name", "pk"]
        verbose_name = _("proyek infrastruktur")
        verbose_name_plural = _("proyek infrastruktur")
        permissions = [
            ("change_status_infrastructureproject", _("Dapat mengubah status proyek infrastruktur")),
            ("export_infrastructureproject", _("Dapat mengekspor proyek infrastruktur")),
        ]
        indexes = [
            models.Index(fields=["status"], name="infra_project_status_idx"),
            models.Index(fields=["fiscal_year"], name="infra_project_year_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="infra_project_budget_not_negative"),
            models.CheckConstraint(
                condition=models.Q(planned_end_on__isnull=True)
                | models.Q(planned_start_on__isnull=True)
                | models.Q(planned_end_on__gte=models.F("planned_start_on")),
                name="infra_project_planned_end_after_start",
                violation_error_message=_("Rencana selesai tidak boleh sebelum rencana mulai."),
            ),
            models.CheckConstraint(
                condition=models.Q(actual_end_on__isnull=True)
                | models.Q(actual_start_on__isnull=True)
                | models.Q(actual_end_on__gte=models.F("actual_start_on")),
                name="infra_project_actual_end_after_start",
                violation_error_message=_("Selesai aktual tidak boleh sebelum mulai aktual."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ProjectStatus.DIHENTIKAN) | ~models.Q(halt_reason=""),
                name="infra_project_halt_has_reason",
                violation_error_message=_("Proyek yang dihentikan wajib memiliki alasan."),
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year__gte=2000, fiscal_year__lte=2100),
                name="infra_project_fiscal_year_range",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors: dict[str, list] = {}
        if self.planned_start_on and self.planned_end_on and self.planned_end_on < self.planned_start_on:
            errors.setdefault("planned_end_on", []).append(
                _("Rencana selesai (%(end)s) tidak boleh sebelum rencana mulai (%(start)s).")
                % {"end": self.planned_end_on.strftime("%d-%m-%Y"), "start": self.planned_start_on.strftime("%d-%m-%Y")}
            )
        if self.actual_start_on and self.actual_end_on and self.actual_end_on < self.actual_start_on:
            errors.setdefault("actual_end_on", []).append(
                _("Selesai aktual (%(end)s) tidak boleh sebelum mulai aktual (%(start)s).")
                % {"end": self.actual_end_on.strftime("%d-%m-%Y"), "start": self.actual_start_on.strftime("%d-%m-%Y")}
            )
        if (self.latitude is None) != (self.longitude is None):
            errors.setdefault("longitude" if self.longitude is None else "latitude", []).append(
                _("Lintang dan bujur harus diisi keduanya, atau dikosongkan keduanya.")
            )
        elif self.latitude is not None:
            message = coordinate_error(float(self.latitude), float(self.longitude))
            if message:
                errors.setdefault("latitude", []).append(message)
        try:
            self.route = normalise_route(self.route)
        except ValidationError as exc:
            errors.setdefault("route", []).extend(exc.messages)
        if self.size_value is not None and not self.size_unit:
            errors.setdefault("size_unit", []).append(_("Pilih satuan untuk panjang/ukuran."))
        if self.size_value is not None and self.size_value <= 0:
            errors.setdefault("size_value", []).append(_("Panjang/ukuran harus lebih dari 0."))
        if self.budget is not None and self.budget < 0:
            errors.setdefault("budget", []).append(_("Pagu anggaran tidak boleh negatif."))
        if errors:
            raise ValidationError(errors)

    # Derived figures shown on the pages; computed from the data, never stored.

    @property
    def has_location(self) -> bool:
        return self.latitude is not None or bool(self.route)

    @property
    def planned_days(self) -> int | None:
        if self.planned_start_on and self.planned_end_on:
            return (self.planned_end_on - self.planned_start_on).days
        return None

    def delay_days(self, today) -> int | None:
        """Days past the planned end: at completion for finished work, as of `today` for open work."""
        if not self.planned_end_on:
            return None
        if self.actual_end_on:
            return (self.actual_end_on - self.planned_end_on).days
        if self.status in OPEN_STATUSES:
            return max((today - self.planned_end_on).days, 0)
        return None

    def start_delay_days(self) -> int | None:
        if self.planned_start_on and self.actual_start_on:
            return (self.actual_start_on - self.planned_start_on).days
        return None

    def allowed_transitions(self) -> tuple[str, ...]:
        return STATUS_TRANSITIONS.get(self.status, ())


def coordinate_error(lat: float, lng: float) -> str | None:
    if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1]) or not (LNG_RANGE[0] <= lng <= LNG_RANGE[1]):
        return str(
            _(
                "Koordinat (%(lat)s, %(lng)s) berada di luar wilayah Indonesia: lintang harus antara -11,5 dan 6,5, "
                "bujur antara 94 dan 141,5 (periksa apakah lintang dan bujur tertukar)."
            )
            % {"lat": lat, "lng": lng}
        )
    return None


def normalise_route(value) -> list[list[float]]:
    """Validates a road's line: a JSON list of at least two [lat, lng] pairs inside Indonesia."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list):
        raise ValidationError(_("Lintasan harus berupa daftar titik [lintang, bujur]."), code="route_format")
    if len(value) < 2:
        raise ValidationError(_("Lintasan memerlukan paling sedikit 2 titik."), code="route_too_short")
    if len(value) > ROUTE_MAX_POINTS:
        raise ValidationError(
            _("Lintasan paling banyak %(max)d titik.") % {"max": ROUTE_MAX_POINTS}, code="route_too_long"
        )
    points = []
    for index, point in enumerate(value, start=1):
        if (
            not isinstance(point, list | tuple)
            or len(point) != 2
            or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in point)
        ):
            raise ValidationError(
                _("Titik ke-%(n)d lintasan harus berupa pasangan angka [lintang, bujur].") % {"n": index},
                code="route_point",
            )
        lat, lng = float(point[0]), float(point[1])
        message = coordinate_error(lat, lng)
        if message:
            raise ValidationError(
                _("Titik ke-%(n)d lintasan: %(message)s") % {"n": index, "message": message}, code="route_point"
            )
        points.append([round(lat, 6), round(lng, 6)])
    return points


@history.track()
class ProjectStatusChange(models.Model):
    """One move of a project's status, for the timeline on the project page."""

    project = models.ForeignKey(
        InfrastructureProject, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("proyek")
    )
    from_status = models.CharField(_("dari status"), max_length=20, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField(_("ke status"), max_length=20, choices=ProjectStatus.choices)
    changed_on = models.DateField(_("tanggal"))
    note = models.TextField(_("catatan"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    class Meta:
        # Record order is the order of the moves (each one starts from the status the previous one left).
        ordering = ["pk"]
        verbose_name = _("perubahan status proyek")
        verbose_name_plural = _("perubahan status proyek")

    def __str__(self):
        return f"{self.project} → {self.get_to_status_display()}"


class ProgressUpdateQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if not is_signed_in(user):
            return self.none()
        return self.filter(project__in=InfrastructureProject.objects.visible_to(user).values("pk"))


@history.track()
class ProgressUpdate(models.Model):
    """A field report: physical progress and cumulative spending on a date, with photos."""

    project = models.ForeignKey(
        InfrastructureProject, on_delete=models.CASCADE, related_name="progress_updates", verbose_name=_("proyek")
    )
    reported_on = models.DateField(_("tanggal laporan"))
    physical_progress = models.DecimalField(_("progres fisik (%)"), max_digits=5, decimal_places=2)
    spent_cumulative = models.BigIntegerField(_("realisasi anggaran kumulatif (Rp)"))
    note = models.TextField(_("catatan"), blank=True)
    regression_reason = models.TextField(
        _("alasan progres/realisasi turun"),
        blank=True,
        help_text=_("Wajib bila progres fisik atau realisasi lebih kecil dari laporan sebelumnya."),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dilaporkan oleh"),
    )
    created_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = _("laporan kemajuan")
        verbose_name_plural = _("laporan kemajuan")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "reported_on"],
                name="infra_update_one_per_day",
                violation_error_message=_("Sudah ada laporan kemajuan proyek ini untuk tanggal tersebut."),
            ),
            models.CheckConstraint(
                condition=models.Q(physical_progress__gte=0, physical_progress__lte=100),
                name="infra_update_progress_range",
                violation_error_message=_("Progres fisik harus antara 0 dan 100%."),
            ),
            models.CheckConstraint(
                condition=models.Q(spent_cumulative__gte=0),
                name="infra_update_spent_not_negative",
                violation_error_message=_("Realisasi anggaran tidak boleh negatif."),
            ),
        ]

    def __str__(self):
        return f"{self.project} · {self.reported_on:%d-%m-%Y} · {self.physical_progress}%"

    @property
    def is_over_budget(self) -> bool:
        return self.spent_cumulative > self.project.budget


def photo_upload_to(instance, filename):
    # The stored name never reuses the uploader's file name (it may carry personal data).
    return f"infrastructure/photos/{instance.update.project_id}/{filename}"


@history.track()
class ProgressPhoto(models.Model):
    """A photo of a progress report, resized on upload and kept in private storage."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="photos", verbose_name=_("laporan kemajuan")
    )
    image = models.FileField(_("foto"), upload_to=photo_upload_to, max_length=255)
    width = models.PositiveIntegerField(_("lebar (px)"))
    height = models.PositiveIntegerField(_("tinggi (px)"))
    has_gps = models.BooleanField(_("menyimpan lokasi GPS"), default=False)
    created_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("foto kemajuan")
        verbose_name_plural = _("foto kemajuan")

    def __str__(self):
        return f"{_('Foto')} {self.pk} · {self.update}"
