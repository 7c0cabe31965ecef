"""`manage.py demo_totp_code [USERNAME]`: the current TOTP code of a demo user (development only).

The demo admin's authenticator secret is public (README), so this only works with DEBUG on.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Menampilkan kode TOTP pengguna demo (hanya untuk pengembangan)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="admin")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("Perintah ini hanya untuk pengembangan (DEBUG=True).")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"Pengguna {username} belum memiliki perangkat TOTP.")
        self.stdout.write(f"{TOTP(device.bin_key).token():06d}")
