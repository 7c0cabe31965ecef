"""Device tokens for the API: issue, authenticate, revoke.

A token stands in for a login, so it asks what the login asks: the password (the view authenticates it, under
django-axes' lockout) and, for Admins and anyone who set up TOTP, a current TOTP code (issue 22, B1). A token
remembers whether it was issued with the second factor; one issued without it stops working as soon as its user
needs the second factor (becomes Admin, sets up TOTP), so a password alone never reads the API of such a user.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts import otp
from accounts.models import DeviceToken, User
from core.access import is_signed_in
from core.audit import audit_event
from core.models import AuditAction

TOUCH_INTERVAL = timedelta(minutes=5)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def device_token_issue(
    *, actor: User, name: str, otp_code: str = "", ttl: timedelta | None = None, ip: str | None = None
) -> tuple[DeviceToken, str]:
    """A token for the actor's own device; returns the row and the raw key (shown once, never stored).

    The actor has passed the password check. If the actor needs the second factor (`otp.otp_required`),
    `otp_code` must be a current code of one of their confirmed TOTP devices: missing or wrong → ValidationError
    on the `otp` field (a wrong code is audited and throttled like the web's); an Admin who has not set up TOTP
    yet → PermissionDenied (the portal's setup page comes first).
    """
    if not is_signed_in(actor):
        raise PermissionDenied(_("Akun ini tidak aktif."))
    second_factor = otp.otp_required(actor)
    if second_factor:
        _second_factor_check(actor=actor, otp_code=otp_code, ip=ip)
    return _device_token_create(actor=actor, name=name, ttl=ttl, otp_verified=second_factor)


def _second_factor_check(*, actor: User, otp_code: str, ip: str | None) -> None:
    # Outside any transaction: the failure's audit event and django-otp's throttle counter must stay written.
    if not otp.has_confirmed_device(actor):
        raise PermissionDenied(
            _(
                "Akun Admin wajib memakai verifikasi dua langkah. Masuk ke portal lewat peramban dan siapkan "
                "aplikasi autentikator dulu, lalu minta token lagi dengan kodenya."
            )
        )
    code = (otp_code or "").replace(" ", "")
    if not code:
        raise ValidationError(
            {
                "otp": ValidationError(
                    _("Akun ini memakai verifikasi dua langkah: isi kode 6 digit dari aplikasi autentikator."),
                    code="otp_required",
                )
            }
        )
    if not code.isdigit() or otp.totp_match(actor=actor, token=code) is None:
        audit_event(
            action=AuditAction.LOGIN_FAILURE, actor=actor, ip_address=ip, detail={"step": "totp", "channel": "api"}
        )
        raise ValidationError(
            {
                "otp": ValidationError(
                    _(
                        "Kode verifikasi salah atau sudah kedaluwarsa. Masukkan kode terbaru dari aplikasi autentikator."
                    ),
                    code="otp_invalid",
                )
            }
        )


@transaction.atomic
def _device_token_create(*, actor: User, name: str, ttl: timedelta | None, otp_verified: bool):
    key = secrets.token_urlsafe(32)
    token = DeviceToken.objects.create(
        user=actor,
        name=(name or "Perangkat")[:100],
        key_hash=_hash(key),
        prefix=key[:8],
        expires_at=timezone.now() + (ttl or timedelta(days=settings.API_TOKEN_TTL_DAYS)),
        otp_verified=otp_verified,
    )
    return token, key


def device_token_revoke(*, actor: User, token: DeviceToken) -> None:
    """The token's own user (logout on the phone, the devices page) or an Admin (Django admin) revokes it."""
    if not is_signed_in(actor) or (token.user_id != actor.pk and not actor.is_admin_role):
        raise PermissionDenied(_("Anda tidak berhak mencabut token ini."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


class DeviceTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, checked against the hash; expired, revoked or deactivated → 401, and so is a
    token issued without the second factor to a user who needs it now."""

    def authenticate_credentials(self, key):
        token = (
            DeviceToken.objects.usable()
            .select_related("user")
            .annotate(user_has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)))
            .filter(key_hash=_hash(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(
                gettext_lazy("Token tidak berlaku atau sudah kedaluwarsa. Silakan masuk lagi.")
            )
        if not token.otp_verified and (token.user.is_admin_role or token.user_has_totp):
            raise exceptions.AuthenticationFailed(
                gettext_lazy(
                    "Token ini dibuat tanpa verifikasi dua langkah, yang kini wajib untuk akun ini. "
                    "Silakan masuk lagi dengan kode dari aplikasi autentikator."
                )
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
            DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
