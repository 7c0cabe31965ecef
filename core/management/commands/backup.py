"""`manage.py backup [--output DIR]`: a pg_dump of the whole database in custom format (restorable in parallel).

Uploaded files live in PRIVATE_MEDIA_ROOT and are backed up separately (docs/operations.md).
"""

import subprocess
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from core import pgtools


class Command(BaseCommand):
    help = "Membuat cadangan basis data (pg_dump format custom)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / ".data" / "backups"))

    def handle(self, *args, output, **options):
        target_dir = Path(output)
        target_dir.mkdir(parents=True, exist_ok=True)
        db = connection.settings_dict
        path = target_dir / f"{db['NAME']}-{timezone.now():%Y%m%d-%H%M%S}.dump"
        try:
            pg_dump = pgtools.find_tool("pg_dump", at_least=pgtools.server_major())
        except FileNotFoundError as exc:
            raise CommandError(str(exc))
        args, env = pgtools.connection_args(db)
        started = time.monotonic()
        result = subprocess.run(
            [pg_dump, *args, "--format=custom", "--no-owner", "--file", str(path), db["NAME"]],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump gagal: {result.stderr.strip()}")
        elapsed = time.monotonic() - started
        size_mb = path.stat().st_size / 1024 / 1024
        self.stdout.write(f"Cadangan: {path} ({size_mb:.1f} MB, {elapsed:.1f} s)")
        return str(path)
