"""Wilayah of Kecamatan Kertapati and the building blocks every app shares."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history
from core.scoping import ScopedQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        abstract = True


class KelurahanQuerySet(ScopedQuerySet):
    kelurahan_lookup = "pk"

    def visible_to(self, user):
        # The list of kelurahan is public reference data; only personal data is scoped.
        return self.all()


@history.track()
class Kelurahan(models.Model):
    """One of the six kelurahan of Kertapati, with both code systems (domain.md §1.2)."""

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
    """A Rukun Tetangga, numbered per kelurahan, carrying its current RW (domain.md §1.4).

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
