from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from reports import services
from reports.models import DashboardAggregate, ReportFile, ReportRun, RunStatus


class ReportFileInline(ReadOnlyInline, admin.TabularInline):
    model = ReportFile
    fields = ["kind", "label", "file", "size"]
    readonly_fields = fields


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ["report_type", "period_start", "kelurahan", "status", "progress", "attempts", "finished_at"]
    list_filter = ["report_type", "status", "kelurahan"]
    search_fields = ["error", "kelurahan__name"]
    date_hierarchy = "period_start"
    readonly_fields = [
        "report_type",
        "period_start",
        "period_end",
        "kelurahan",
        "status",
        "error",
        "progress",
        "requested_by",
        "requested_at",
        "started_at",
        "finished_at",
        "attempts",
    ]
    exclude = ["figures"]
    inlines = [ReportFileInline]
    actions = ["retry_runs"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("reports.view_reportrun")

    @admin.action(description=_("Ulangi laporan yang gagal"), permissions=["retry"])
    def retry_runs(self, request, queryset):
        retried = 0
        for run in queryset.filter(status=RunStatus.FAILED):
            try:
                services.report_retry(actor=request.user, run=run)
            except ValidationError as exc:
                self.message_user(request, f"{run}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                retried += 1
        self.message_user(request, _("%(n)d laporan dimasukkan kembali ke antrean.") % {"n": retried}, messages.SUCCESS)

    def has_retry_permission(self, request):
        return request.user.has_perm("reports.add_reportrun")


@admin.register(DashboardAggregate)
class DashboardAggregateAdmin(ReadOnlyAdmin):
    list_display = ["key", "month", "kelurahan", "computed_at"]
    list_filter = ["key", "kelurahan"]
    search_fields = ["key"]
    readonly_fields = ["key", "month", "kelurahan", "value", "computed_at"]


@admin.register(ReportFile)
class ReportFileAdmin(ReadOnlyAdmin):
    list_display = ["label", "kind", "run", "size"]
    list_filter = ["kind"]
    search_fields = ["label"]
    list_select_related = ["run", "run__kelurahan"]
    readonly_fields = ["run", "kind", "label", "file", "size"]
