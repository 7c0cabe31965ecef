from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import history


class Role(models.TextChoices):
    """The five roles of docs/architecture.md §4."""

    ADMIN = "admin", _("Admin")
    STAF_KECAMATAN = "staf_kecamatan", _("Staf Kecamatan")
    STAF_KELURAHAN = "staf_kelurahan", _("Staf Kelurahan")
    PETUGAS_LEMBAGA = "petugas_lembaga", _("Petugas Lembaga")
    PIMPINAN = "pimpinan", _("Pimpinan")


@history.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A portal user. The role decides the Django group (and so the permissions); scope fields decide where.

    A Petugas Lembaga's institution is a membership row owned by `aid_distribution`, never a field here.
    """

    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, default=Role.STAF_KELURAHAN)
    kelurahan = models.ForeignKey(
        "core.Kelurahan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kelurahan tugas"),
        help_text=_("Wajib untuk Staf Kelurahan."),
    )
    kelurahan_set = models.ManyToManyField(
        "core.Kelurahan",
        blank=True,
        related_name="+",
        verbose_name=_("cakupan kelurahan"),
        help_text=_("Untuk Staf Kecamatan: kosong berarti keenam kelurahan."),
    )
    phone = models.CharField(_("nomor telepon"), max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=Role.STAF_KELURAHAN) | models.Q(kelurahan__isnull=False),
                name="accounts_user_staf_kelurahan_has_kelurahan",
                violation_error_message=_("Staf Kelurahan wajib memiliki kelurahan tugas."),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    def kelurahan_scope(self) -> list[int] | None:
        """Kelurahan whose personal data this user may see: None for all, a (possibly empty) list otherwise.

        Cached on the instance: a request asks several times and the answer cannot change within it.
        """
        if not hasattr(self, "_kelurahan_scope_cache"):
            self._kelurahan_scope_cache = self._compute_kelurahan_scope()
        return self._kelurahan_scope_cache

    def _compute_kelurahan_scope(self) -> list[int] | None:
        if not self.is_active:
            return []
        if self.is_admin_role:
            return None
        if self.role == Role.STAF_KECAMATAN:
            ids = list(self.kelurahan_set.values_list("pk", flat=True))
            return ids or None
        if self.role == Role.STAF_KELURAHAN:
            return [self.kelurahan_id] if self.kelurahan_id else []
        # Petugas Lembaga reach households through their institution's rounds; Pimpinan sees aggregates only.
        return []


class DeviceTokenQuerySet(models.QuerySet):
    def usable(self):
        from django.utils import timezone

        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)


class DeviceToken(models.Model):
    """An API token for one device of one user; it expires and can be revoked (docs/quality.md S4, issue: field app).

    Only a SHA-256 hash of the key is stored: a leaked database does not leak usable tokens.
    """

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="device_tokens", verbose_name=_("pengguna")
    )
    name = models.CharField(_("nama perangkat"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("awalan token"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    otp_verified = models.BooleanField(
        _("dengan verifikasi dua langkah"),
        default=False,
        help_text=_("Diterbitkan dengan kode TOTP. Token tanpa itu tidak berlaku bagi akun yang wajib memakainya."),
    )

    objects = DeviceTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("token perangkat")
        verbose_name_plural = _("token perangkat")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and self.expires_at > timezone.now()
