"""One demo user per role (README lists them). Synthetic names; the password is for local demos only."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Role, User
from core.models import Kelurahan

DEMO_PASSWORD = "demo-kertapati-2026"  # noqa: S105 - documented demo password, never used in production

# The demo admin's authenticator secret (base32 JBSW Y3DP EHPK 3PXP), published in the README: demo only.
DEMO_ADMIN_TOTP_KEY = "48656c6c6f21deadbeef"

DEMO_USERS = [
    {"username": "admin", "role": Role.ADMIN, "first_name": "Andi", "last_name": "Pratama"},
    {"username": "kecamatan", "role": Role.STAF_KECAMATAN, "first_name": "Sari", "last_name": "Wulandari"},
    {
        "username": "kelurahan",
        "role": Role.STAF_KELURAHAN,
        "first_name": "Rudi",
        "last_name": "Hartono",
        "kelurahan": "Keramasan",
    },
    {"username": "lembaga", "role": Role.PETUGAS_LEMBAGA, "first_name": "Dewi", "last_name": "Lestari"},
    {"username": "pimpinan", "role": Role.PIMPINAN, "first_name": "Bambang", "last_name": "Saputra"},
]


def seed(*, log) -> None:
    created = 0
    for spec in DEMO_USERS:
        if User.objects.filter(username=spec["username"]).exists():
            continue
        kelurahan = Kelurahan.objects.get(name=spec["kelurahan"]) if spec.get("kelurahan") else None
        services.user_create(
            actor=None,
            username=spec["username"],
            password=DEMO_PASSWORD,
            role=spec["role"],
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            kelurahan=kelurahan,
        )
        created += 1
    admin = User.objects.get(username="admin")
    TOTPDevice.objects.get_or_create(user=admin, name="Demo", defaults={"key": DEMO_ADMIN_TOTP_KEY, "confirmed": True})
    log(f"Pengguna demo: {created} baru")
