"""Device tokens for the API: issue, authenticate, revoke."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import DeviceToken, User

TOUCH_INTERVAL = timedelta(minutes=5)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def device_token_issue(*, user: User, name: str, ttl: timedelta | None = None) -> tuple[DeviceToken, str]:
    """Returns the token row and the raw key; the raw key is shown once and never stored."""
    key = secrets.token_urlsafe(32)
    token = DeviceToken.objects.create(
        user=user,
        name=(name or "Perangkat")[:100],
        key_hash=_hash(key),
        prefix=key[:8],
        expires_at=timezone.now() + (ttl or timedelta(days=settings.API_TOKEN_TTL_DAYS)),
    )
    return token, key


def device_token_revoke(*, token: DeviceToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


class DeviceTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, checked against the hash; expired, revoked or deactivated → 401."""

    def authenticate_credentials(self, key):
        token = DeviceToken.objects.usable().select_related("user").filter(key_hash=_hash(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Token tidak berlaku atau sudah kedaluwarsa. Silakan masuk lagi."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
            DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
