"""Generated reports (one row per type + period + scope) and the precomputed dashboard aggregates (issue 7).

Figures are never hand-maintained counters: a report stores what the builders computed from the data, with the
time it was computed; the dashboard reads aggregates refreshed by a task and labelled with their time
(docs/architecture.md §7).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.access import is_signed_in
from core.models import Kelurahan
from core.scoping import ScopedQuerySet


class ReportType(models.TextChoices):
    BULANAN = "bulanan", _("Laporan kesejahteraan bulanan")
    KOORDINASI = "koordinasi", _("Laporan koordinasi penyaluran")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Dalam antrean")
    RUNNING = "running", _("Sedang dibuat")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class ReportRunQuerySet(ScopedQuerySet):
    kelurahan_lookup = "kelurahan"

    def visible_to(self, user):
        if not is_signed_in(user):
            return self.none()
        if not user.has_perm("reports.view_reportrun"):
            return self.none()
        # Reports hold aggregates only (no names, no NIK): leadership reads every one of them.
        if user.role == Role.PIMPINAN:
            return self.all()
        # A kecamatan-wide run (kelurahan NULL) is outside any limited scope: `kelurahan__in` drops it.
        return self.in_kelurahan_scope(user)


class ReportRun(models.Model):
    """One generated report. A re-run of the same type, period and scope replaces its result."""

    report_type = models.CharField(_("jenis laporan"), max_length=20, choices=ReportType.choices)
    period_start = models.DateField(_("awal periode"))
    period_end = models.DateField(_("akhir periode"))
    kelurahan = models.ForeignKey(
        Kelurahan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kelurahan"),
        help_text=_("Kosong berarti seluruh kecamatan."),
    )
    status = models.CharField(_("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    error = models.TextField(_("penyebab gagal"), blank=True)
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diminta oleh"),
    )
    requested_at = models.DateTimeField(_("diminta pada"))
    started_at = models.DateTimeField(_("mulai dibuat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai dibuat"), null=True, blank=True)
    #: How many times a worker started it (a retry after a killed worker makes it 2, the result stays one).
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    figures = models.JSONField(_("angka laporan"), default=dict, blank=True, editable=False)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")
        ordering = ["-period_start", "report_type", "kelurahan_id", "pk"]
        permissions = [("view_dashboard", _("Dapat melihat dasbor"))]
        constraints = [
            # NULLS NOT DISTINCT: a second kecamatan-wide run of the same month is refused like any other.
            models.UniqueConstraint(
                fields=["report_type", "period_start", "period_end", "kelurahan"],
                nulls_distinct=False,
                name="reports_run_unique_type_period_scope",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="reports_run_period"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="reports_run_progress_range"),
        ]
        indexes = [models.Index(fields=["kelurahan", "-period_start"], name="reports_run_kel_period_idx")]

    def __str__(self):
        return f"{self.get_report_type_display()} {self.period_start:%m-%Y} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return self.kelurahan.name if self.kelurahan_id else str(_("Kecamatan Kertapati"))

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


class FileKind(models.TextChoices):
    XLSX = "xlsx", _("Excel (XLSX)")
    PDF = "pdf", _("PDF")
    CSV = "csv", _("CSV")


class ReportFile(models.Model):
    """A file of a report run, kept in private storage and served only by a permission-checked view."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="files", verbose_name=_("laporan"))
    kind = models.CharField(_("jenis berkas"), max_length=10, choices=FileKind.choices)
    label = models.CharField(_("keterangan"), max_length=200)
    file = models.FileField(_("berkas"), max_length=300)
    size = models.PositiveBigIntegerField(_("ukuran (byte)"), default=0)

    class Meta:
        verbose_name = _("berkas laporan")
        verbose_name_plural = _("berkas laporan")
        ordering = ["run", "kind", "pk"]

    def __str__(self):
        return self.label

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class DashboardAggregate(models.Model):
    """A precomputed dashboard figure set for one month and one kelurahan (NULL = the whole kecamatan)."""

    key = models.CharField(_("kunci"), max_length=50)
    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("kelurahan")
    )
    month = models.DateField(_("bulan"), help_text=_("Selalu tanggal 1."))
    value = models.JSONField(_("nilai"), default=dict)
    computed_at = models.DateTimeField(_("dihitung pada"))

    class Meta:
        verbose_name = _("agregat dasbor")
        verbose_name_plural = _("agregat dasbor")
        ordering = ["-month", "key", "kelurahan_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "month", "kelurahan"], nulls_distinct=False, name="reports_aggregate_unique"
            ),
        ]

    def __str__(self):
        return f"{self.key} {self.month:%m-%Y} {self.kelurahan or _('kecamatan')}"
