"""Pieces every section builder shares: the kelurahan in scope, guarded sections, per-kelurahan rows."""

import logging
from collections.abc import Callable

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from core.models import Kelurahan

logger = logging.getLogger(__name__)


def kelurahan_in_scope(kelurahan_ids: list[int] | None, db: str) -> list[dict]:
    queryset = Kelurahan.objects.using(db).order_by("kemendagri_code")
    if kelurahan_ids is not None:
        queryset = queryset.filter(pk__in=kelurahan_ids)
    return [{"id": pk, "name": name} for pk, name in queryset.values_list("pk", "name")]


def rows_by_kelurahan(rows, key: str, fields: list[str], kelurahan: list[dict]) -> tuple[list[dict], dict]:
    """Grouped query rows -> one row per kelurahan in scope (zeros where none) and the kecamatan total.

    The total of counts is the sum of the kelurahan rows: the same figures, added, never counted twice.
    """
    found = {row[key]: row for row in rows}
    result = []
    for kel in kelurahan:
        row = found.get(kel["id"], {})
        result.append({"kelurahan_id": kel["id"], "name": kel["name"], **{f: row.get(f) or 0 for f in fields}})
    total = {f: sum(r[f] for r in result) for f in fields}
    return result, total


def guarded(title: str, build: Callable[[], dict], db: str) -> dict:
    """Runs one section in a savepoint. An app still being built (missing module, model or table) leaves the
    section marked unavailable with a reason, and the rest of the report still builds."""
    try:
        with transaction.atomic(using=db):
            data = build()
    except (ImportError, LookupError, AttributeError, DatabaseError) as exc:
        logger.exception("Bagian laporan %s tidak dapat dihitung", title)
        return {
            "title": title,
            "available": False,
            "note": _("Data belum tersedia: %(error)s") % {"error": exc.__class__.__name__},
        }
    return {"title": title, "available": True, **data}


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None
