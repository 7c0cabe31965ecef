"""Reads on grievances and change requests, always from `visible_to(user)` (docs/architecture.md §6 rule 4)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, F, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from core.models import Kelurahan
from grievances.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Category,
    ChangeRequest,
    Grievance,
    Notification,
    Status,
    SubjectRequest,
)

VIEW_PERMISSION = "grievances.view_grievance"
STATS_PERMISSION = "grievances.view_grievance_stats"
PANEL_LIMIT = 3


def grievance_list(*, user):
    return Grievance.objects.visible_to(user).select_related("kelurahan", "assigned_to").order_by("-received_on", "-pk")


def grievance_get_for_user(*, user, pk) -> Grievance:
    """404 for "not yours", "sensitive" and "missing" alike."""
    try:
        return (
            Grievance.objects.visible_to(user)
            .select_related(
                "kelurahan",
                "household",
                "member",
                "infrastructure_project",
                "distribution_round",
                "cohort__program",
                "assigned_to",
                "submitted_by",
                "closed_by",
            )
            .get(pk=pk)
        )
    except (Grievance.DoesNotExist, ValueError, TypeError):
        raise Http404


def assignable_users(*, kelurahan_id: int | None = None):
    """Active staff who may handle grievances (optionally: of one kelurahan)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, role__in=[Role.ADMIN, Role.STAF_KECAMATAN, Role.STAF_KELURAHAN])
        .order_by("first_name", "last_name", "username")
    )
    if kelurahan_id is not None:
        users = users.filter(Q(role__in=[Role.ADMIN, Role.STAF_KECAMATAN]) | Q(kelurahan_id=kelurahan_id))
    return users


def grievance_change_requests(*, user, grievance: Grievance) -> list[ChangeRequest]:
    return list(
        ChangeRequest.objects.visible_to(user)
        .filter(grievance=grievance)
        .select_related("requested_by", "decided_by")
        .order_by("-pk")
    )


def change_request_list(*, user):
    return (
        ChangeRequest.objects.visible_to(user)
        .select_related("household", "household__kelurahan", "member", "requested_by", "decided_by")
        .order_by("-created_at", "-pk")
    )


def change_request_get_for_user(*, user, pk) -> ChangeRequest:
    try:
        return (
            ChangeRequest.objects.visible_to(user)
            .select_related("household", "household__kelurahan", "member", "grievance", "requested_by", "decided_by")
            .get(pk=pk)
        )
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise Http404


def subject_request_list(*, user):
    return (
        SubjectRequest.objects.visible_to(user)
        .select_related("kelurahan", "member", "handled_by")
        .order_by("closed_at", "due_at")
    )


def subject_request_get_for_user(*, user, pk: int) -> SubjectRequest:
    obj = subject_request_list(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def my_tasks(*, user, today: datetime.date | None = None) -> dict:
    """The assignee's open grievances (overdue first), pending approvals they may decide, and their notices."""
    today = today or timezone.localdate()
    open_items = list(
        Grievance.objects.visible_to(user)
        .filter(assigned_to=user, status__in=OPEN_STATUSES)
        .select_related("kelurahan")
        .order_by("due_on", "pk")
    )
    approvals = []
    if user.has_perm("grievances.approve_changerequest"):
        approvals = list(
            ChangeRequest.objects.visible_to(user)
            .pending()
            .exclude(requested_by=user)
            .select_related("household", "household__kelurahan", "member", "requested_by")
            .order_by("created_at", "pk")[:50]
        )
    notifications = list(Notification.objects.visible_to(user).order_by("-sent_on", "-pk")[:10])
    return {
        "overdue": [g for g in open_items if g.due_on < today],
        "new": [g for g in open_items if g.due_on >= today and g.status == Status.BARU],
        "in_progress": [g for g in open_items if g.due_on >= today and g.status == Status.DIPROSES],
        "approvals": approvals,
        "notifications": notifications,
    }


def count_my_open_per_kelurahan(user) -> dict | None:
    """Home page figure: the user's assigned grievances that are new or overdue, per kelurahan (one query)."""
    if not user.has_perm("grievances.change_grievance"):
        return None
    today = timezone.localdate()
    rows = (
        Grievance.objects.filter(assigned_to=user)
        .filter(Q(status=Status.BARU) | Q(status__in=OPEN_STATUSES, due_on__lt=today))
        .values("kelurahan_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["kelurahan_id"]: row["n"] for row in rows}


def household_panel(viewer, household) -> dict | None:
    """The household's grievances the viewer may see (sensitive ones only for admins and their assignee)."""
    if not viewer.has_perm(VIEW_PERMISSION):
        return None
    visible = Grievance.objects.visible_to(viewer).filter(household_id=household.pk)
    summary = visible.aggregate(total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)))
    latest = (
        list(visible.select_related("assigned_to").order_by("-received_on", "-pk")[:PANEL_LIMIT])
        if summary["total"]
        else []
    )
    return {
        "total": summary["total"],
        "open": summary["open"],
        "latest": latest,
        "household_id": household.pk,
        "can_add": viewer.has_perm("grievances.add_grievance"),
    }


def stats_kelurahan_ids(user) -> list[int] | None:
    """Kelurahan the statistics may cover for this user (None: all)."""
    scope = user.kelurahan_scope()
    if user.role == Role.PIMPINAN or user.is_admin_role:
        return None
    return scope


def grievance_summary(
    *, period_start: datetime.date, period_end: datetime.date, kelurahan_ids: list[int] | None = None
) -> dict:
    """Counts by category, status and kelurahan and the average days to resolve, for grievances received in
    [period_start, period_end]. Aggregated in SQL; no personal data. Called by the reports app."""
    base = Grievance.objects.filter(received_on__gte=period_start, received_on__lte=period_end)
    if kelurahan_ids is not None:
        base = base.filter(kelurahan_id__in=kelurahan_ids)
    by_category = dict(base.values_list("category").annotate(n=Count("pk")).order_by())
    by_status = dict(base.values_list("status").annotate(n=Count("pk")).order_by())
    by_kelurahan_rows = (
        base.values("kelurahan_id")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())),
        )
        .order_by()
    )
    by_kelurahan: dict[int, dict[str, Any]] = {row["kelurahan_id"]: dict(row) for row in by_kelurahan_rows}
    resolved = base.filter(status__in=CLOSED_STATUSES, closed_at__isnull=False).aggregate(
        n=Count("pk"), avg=Avg(F("closed_at") - F("created_at"))
    )
    avg = resolved["avg"]
    kelurahan_names = dict(Kelurahan.objects.values_list("pk", "name"))
    return {
        "period_start": period_start,
        "period_end": period_end,
        "total": sum(by_status.values()),
        "by_category": [
            {"category": value, "label": str(label), "count": by_category.get(value, 0)}
            for value, label in Category.choices
        ],
        "by_status": [
            {"status": value, "label": str(label), "count": by_status.get(value, 0)} for value, label in Status.choices
        ],
        "by_kelurahan": [
            {
                "kelurahan_id": pk,
                "name": name,
                "total": by_kelurahan.get(pk, {}).get("total", 0),
                "open": by_kelurahan.get(pk, {}).get("open", 0),
                "overdue": by_kelurahan.get(pk, {}).get("overdue", 0),
            }
            for pk, name in kelurahan_names.items()
            if kelurahan_ids is None or pk in kelurahan_ids
        ],
        "resolved": resolved["n"],
        "avg_days_to_resolve": round(avg.total_seconds() / 86400, 1) if avg is not None else None,
    }
