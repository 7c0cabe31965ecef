"""Grievance figures, from the grievances app's own aggregate selector (read-only)."""

import datetime


def summary(*, start: datetime.date, end: datetime.date, kelurahan: list[dict], db: str) -> dict:
    from grievances.selectors import grievance_summary

    data = grievance_summary(period_start=start, period_end=end, kelurahan_ids=[k["id"] for k in kelurahan])
    rows = [
        {"kelurahan_id": row["kelurahan_id"], "name": row["name"], **{f: row[f] for f in ("total", "open", "overdue")}}
        for row in data["by_kelurahan"]
    ]
    return {
        "rows": rows,
        "total": {
            "total": data["total"],
            "open": sum(r["open"] for r in rows),
            "overdue": sum(r["overdue"] for r in rows),
            "resolved": data["resolved"],
            "avg_days_to_resolve": data["avg_days_to_resolve"],
        },
        "by_category": [{"key": r["category"], "label": r["label"], "count": r["count"]} for r in data["by_category"]],
        "by_status": [{"key": r["status"], "label": r["label"], "count": r["count"]} for r in data["by_status"]],
    }
