"""Reads of the reports app, always through ReportRun.objects.visible_to(user)."""

import datetime

from django.http import Http404

from core.models import Kelurahan
from reports import dashboard
from reports.models import DashboardAggregate, ReportFile, ReportRun


def report_list(*, user):
    return ReportRun.objects.visible_to(user).select_related("kelurahan", "requested_by")


def report_get_for_user(*, user, pk: int) -> ReportRun:
    run = report_list(user=user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def report_file_get_for_user(*, user, pk: int) -> ReportFile:
    file = ReportFile.objects.filter(pk=pk, run__in=ReportRun.objects.visible_to(user)).select_related("run").first()
    if file is None:
        raise Http404
    return file


def kelurahan_choices_for(user):
    """Kelurahan a user may pick as a report scope; None in the list means the whole kecamatan."""
    scope = user.kelurahan_scope()
    queryset = Kelurahan.objects.order_by("kemendagri_code")
    if scope is None:
        return queryset, True
    return queryset.filter(pk__in=scope), False


def dashboard_months() -> list[datetime.date]:
    return list(
        DashboardAggregate.objects.filter(key=dashboard.KEY, kelurahan__isnull=True)
        .order_by("-month")
        .values_list("month", flat=True)[:24]
    )


def dashboard_aggregates():
    """The dashboard's figure sets; `reports.filters.DashboardFilter` picks the month and kelurahan."""
    return DashboardAggregate.objects.filter(key=dashboard.KEY)
