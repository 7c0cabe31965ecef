"""Device tokens remember whether they were issued with the second factor (issue 22, B1).

Until now the token endpoint asked for the password only, so every token already issued to an Admin, a superuser
or a user with a confirmed TOTP device was issued without the second factor: this migration revokes them (their
devices ask for a new token, now with the code). Tokens of everyone else keep working (`otp_verified` false, and
their users do not need the second factor).
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone


def revoke_tokens_issued_without_second_factor(apps, schema_editor):
    DeviceToken = apps.get_model("accounts", "DeviceToken")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    has_totp = Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True))
    needs_second_factor = Q(user__role="admin") | Q(user__is_superuser=True) | Q(has_totp=True)
    (
        DeviceToken.objects.filter(revoked_at__isnull=True, otp_verified=False)
        .annotate(has_totp=has_totp)
        .filter(needs_second_factor)
        .update(revoked_at=timezone.now())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_device_token"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.AddField(
            model_name="devicetoken",
            name="otp_verified",
            field=models.BooleanField(
                default=False,
                help_text="Diterbitkan dengan kode TOTP. Token tanpa itu tidak berlaku bagi akun yang wajib memakainya.",
                verbose_name="dengan verifikasi dua langkah",
            ),
        ),
        migrations.RunPython(revoke_tokens_issued_without_second_factor, migrations.RunPython.noop),
    ]
