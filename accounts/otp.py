"""Second factor (TOTP, RFC 6238) with django-otp: required for Admin, optional for everyone else (issue 10).

Services here take `actor=` and never the HTTP request: marking a web session as verified (`django_otp.login`)
is the view's job, done with the device these return. The API's token request asks for the same code
(accounts/tokens.py).
"""

from django.db import transaction
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
def totp_device_start(*, actor: User) -> TOTPDevice:
    """A fresh unconfirmed device for the actor's setup page (an earlier unconfirmed one is replaced)."""
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name="Aplikasi autentikator", confirmed=False)


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def totp_device_confirm(*, actor: User, device: TOTPDevice, token: str) -> bool:
    """Confirms the actor's pending device with a first code; False (and throttled) for a wrong code."""
    if device.user_id != actor.pk:
        return False
    # Not atomic: a wrong code's throttle counter, which verify_token saves, must stay written.
    if not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def totp_match(*, actor: User, token: str) -> TOTPDevice | None:
    """The actor's confirmed device that accepts this code, or None (django-otp throttles wrong codes)."""
    return match_token(actor, token.strip())
