"""`manage.py restore_drill DUMP [--keep]`: restores a backup into a fresh database and proves it is whole.

Compares the exact row count of every table with the live database, runs `manage.py check` against the
restored copy, prints the timings, then drops the copy (docs/quality.md R7).
"""

import os
import subprocess
import sys
import time

import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg2 import sql

from core import pgtools

COUNT_TABLES = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""


def _counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        cursor.execute(COUNT_TABLES)
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    return counts


class Command(BaseCommand):
    help = "Latihan pemulihan: memulihkan cadangan ke basis data baru dan membandingkan jumlah baris."

    def add_arguments(self, parser):
        parser.add_argument("dump")
        parser.add_argument("--keep", action="store_true", help="Jangan hapus basis data hasil pemulihan.")

    def handle(self, *args, dump, keep, **options):
        if not os.path.exists(dump):
            raise CommandError(f"Berkas cadangan tidak ditemukan: {dump}")
        db = connection.settings_dict
        drill_name = f"{db['NAME']}_restore_drill"[:63]
        pg_restore = pgtools.find_tool("pg_restore", at_least=pgtools.server_major())
        args, env = pgtools.connection_args(db)
        admin = psycopg2.connect(
            host=db.get("HOST") or "127.0.0.1",
            port=db.get("PORT") or 5432,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname="postgres",
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(drill_name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(drill_name)))
        try:
            started = time.monotonic()
            result = subprocess.run(
                [pg_restore, *args, "--no-owner", "--jobs", "2", "--dbname", drill_name, dump],
                env=env,
                capture_output=True,
                text=True,
            )
            restore_seconds = time.monotonic() - started
            if result.returncode != 0:
                raise CommandError(f"pg_restore gagal: {result.stderr.strip()[-2000:]}")
            restored = psycopg2.connect(
                host=db.get("HOST") or "127.0.0.1",
                port=db.get("PORT") or 5432,
                user=db.get("USER") or None,
                password=db.get("PASSWORD") or None,
                dbname=drill_name,
            )
            live_counts = _counts(connection.connection) if connection.connection else None
            if live_counts is None:
                connection.ensure_connection()
                live_counts = _counts(connection.connection)
            restored_counts = _counts(restored)
            restored.close()
            differences = {
                table: (live_counts.get(table), restored_counts.get(table))
                for table in set(live_counts) | set(restored_counts)
                if live_counts.get(table) != restored_counts.get(table)
            }
            if differences:
                raise CommandError(f"Jumlah baris berbeda setelah pemulihan: {differences}")
            credentials = db.get("USER") or "postgres"
            if db.get("PASSWORD"):
                credentials += f":{db['PASSWORD']}"
            url = f"postgres://{credentials}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{drill_name}"
            check = subprocess.run(
                [sys.executable, str(settings.BASE_DIR / "manage.py"), "check"],
                env={**env, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                cwd=settings.BASE_DIR,
            )
            if check.returncode != 0:
                raise CommandError(f"manage.py check gagal pada basis data hasil pemulihan: {check.stderr[-2000:]}")
            total = sum(restored_counts.values())
            self.stdout.write(
                f"Pemulihan berhasil: {len(restored_counts)} tabel, {total} baris sama persis; "
                f"pg_restore {restore_seconds:.1f} s."
            )
        finally:
            if not keep:
                with admin.cursor() as cursor:
                    cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(drill_name)))
            admin.close()
