"""Second factor (TOTP, RFC 6238) with django-otp: required for Admin, optional for everyone else (issue 10)."""

from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def otp_required(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_admin_role or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """A fresh unconfirmed device for the setup page (an earlier unconfirmed one is replaced)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Aplikasi autentikator", confirmed=False)


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


@transaction.atomic
def totp_device_confirm(*, request, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return True


def totp_verify(*, request, token: str) -> bool:
    device = match_token(request.user, token.strip())
    if device is None:
        return False
    otp_login(request, device)
    return True
