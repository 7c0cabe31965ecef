"""Report figure builders: plain dicts computed with SQL aggregation, shared by the report files, the report
page, the dashboard aggregates and the tests (one definition of every figure).

`build(report_type=, period_start=, period_end=, kelurahan_ids=)` returns
`{"meta": {...}, "kelurahan": [...], "sections": {key: {"title", "available", "rows", "total", ...}}}`.
"""

import datetime
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from core.replica import reporting_db
from reports.builders import aid, grievances, infrastructure, programs, registry
from reports.builders.common import guarded, kelurahan_in_scope

Progress = Callable[[int], None]


def _sections(report_type: str) -> list[tuple[str, str, Callable]]:
    from reports.models import ReportType

    coordination = [
        ("aid_coordination", _("Cakupan dan koordinasi penyaluran sembako"), aid.coordination),
        ("aid_institutions", _("Sembako tersalurkan per lembaga"), aid.deliveries_per_institution),
    ]
    if report_type == ReportType.KOORDINASI:
        return coordination
    return [
        ("households", _("Keluarga terdaftar"), registry.households),
        ("members", _("Anggota keluarga"), registry.members),
        ("programs", _("Program pemberdayaan"), programs.participation),
        *coordination,
        ("support", _("Pendampingan psikososial (jumlah kasus)"), aid.support_cases),
        ("infrastructure", _("Proyek infrastruktur"), infrastructure.projects),
        ("grievances", _("Pengaduan"), grievances.summary),
    ]


def build(
    *,
    report_type: str,
    period_start: datetime.date,
    period_end: datetime.date,
    kelurahan_ids: list[int] | None = None,
    progress: Progress | None = None,
    db: str | None = None,
) -> dict:
    db = db or reporting_db()
    kelurahan = kelurahan_in_scope(kelurahan_ids, db)
    sections = {}
    steps = _sections(report_type)
    for index, (key, title, builder) in enumerate(steps, start=1):
        sections[key] = guarded(
            str(title),
            lambda builder=builder: builder(start=period_start, end=period_end, kelurahan=kelurahan, db=db),
            db,
        )
        if progress:
            progress(int(80 * index / len(steps)))
    return {
        "meta": {
            "report_type": report_type,
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "kelurahan_ids": kelurahan_ids,
            "computed_at": timezone.now().isoformat(),
        },
        "kelurahan": kelurahan,
        "labels": registry.labels(),
        "sections": sections,
    }
