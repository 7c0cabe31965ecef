"""Report and dashboard pages: thin views over selectors and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from accounts.models import Role
from core.access import PermissionMixin
from core.audit import audit_event
from core.forms import add_service_error
from core.models import AuditAction, Kelurahan
from reports import dashboard, selectors, services
from reports.filters import DashboardFilter
from reports.forms import ReportRequestForm
from reports.models import RunStatus
from reports.tables import build_tables, unavailable_sections


def _request_form(user, data=None) -> ReportRequestForm:
    queryset, allow_kecamatan = selectors.kelurahan_choices_for(user)
    return ReportRequestForm(data, kelurahan_queryset=queryset, allow_kecamatan=allow_kecamatan)


@method_decorator(never_cache, name="dispatch")
class ReportRunListView(PermissionMixin, ListView):
    permission_required = "reports.view_reportrun"
    template_name = "reports/reportrun_list.html"
    context_object_name = "runs"
    paginate_by = 25

    def get_queryset(self):
        return selectors.report_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm("reports.add_reportrun"):
            context["form"] = kwargs.get("form") or _request_form(self.request.user)
        return context


class ReportRunCreateView(PermissionMixin, View):
    permission_required = "reports.add_reportrun"

    def post(self, request):
        form = _request_form(request.user, request.POST)
        if form.is_valid():
            try:
                run = services.report_request(
                    actor=request.user,
                    report_type=form.cleaned_data["report_type"],
                    month=form.cleaned_data["month"],
                    kelurahan=form.cleaned_data["kelurahan"],
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Laporan dimasukkan ke antrean. Halaman ini menampilkan kemajuannya."))
                return redirect("reports:reportrun_detail", pk=run.pk)
        view = ReportRunListView()
        view.setup(request)
        view.object_list = view.get_queryset()
        return view.render_to_response(view.get_context_data(form=form), status=400)


@method_decorator(never_cache, name="dispatch")
class ReportRunDetailView(PermissionMixin, DetailView):
    permission_required = "reports.view_reportrun"
    context_object_name = "run"

    def get_template_names(self):
        if self.request.htmx:
            return ["reports/_run_status.html"]
        return ["reports/reportrun_detail.html"]

    def get_object(self, queryset=None):
        return selectors.report_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.request.htmx and self.object.is_finished:
            response["HX-Refresh"] = "true"  # reload once: the full page shows the tables and the files
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.object
        context["files"] = list(run.files.all()) if run.status == RunStatus.DONE else []
        if run.status == RunStatus.DONE and not self.request.htmx:
            context["tables"] = build_tables(run.figures)
            context["unavailable"] = unavailable_sections(run.figures)
            context["computed_at"] = run.figures.get("meta", {}).get("computed_at")
        return context


class ReportRunRetryView(PermissionMixin, View):
    permission_required = "reports.add_reportrun"

    def post(self, request, pk):
        run = selectors.report_get_for_user(user=request.user, pk=pk)
        try:
            services.report_retry(actor=request.user, run=run)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Laporan dimasukkan kembali ke antrean."))
        return redirect("reports:reportrun_detail", pk=run.pk)


class ReportFileDownloadView(PermissionMixin, View):
    permission_required = "reports.view_reportrun"

    def get(self, request, pk):
        report_file = selectors.report_file_get_for_user(user=request.user, pk=pk)
        try:
            handle = report_file.file.open("rb")
        except FileNotFoundError:
            raise Http404
        audit_event(
            action=AuditAction.EXPORT,
            request=request,
            obj=report_file.run,
            detail={"file": report_file.filename, "kind": report_file.kind},
        )
        response = FileResponse(handle, as_attachment=True, filename=report_file.filename)
        response["Cache-Control"] = "no-store"
        return response


def dashboard_kelurahan_for(user):
    """Kelurahan the dashboard filter offers, and whether the kecamatan total may be shown."""
    if user.role == Role.PIMPINAN or user.kelurahan_scope() is None:
        return Kelurahan.objects.order_by("kemendagri_code"), True
    return Kelurahan.objects.filter(pk__in=user.kelurahan_scope()).order_by("kemendagri_code"), False


@method_decorator(never_cache, name="dispatch")
class DashboardView(PermissionMixin, TemplateView):
    permission_required = "reports.view_dashboard"
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kelurahan_list, allow_total = dashboard_kelurahan_for(self.request.user)
        kelurahan_list = list(kelurahan_list)
        months = selectors.dashboard_months()
        choice = DashboardFilter(
            self.request.GET,
            queryset=selectors.dashboard_aggregates(),
            kelurahan_list=kelurahan_list,
            allow_total=allow_total,
            latest_month=months[0] if months else None,
        )
        aggregate = choice.qs.first()
        month, kelurahan = choice.month, choice.kelurahan
        value = aggregate.value if aggregate else {}
        context.update(
            kelurahan_list=kelurahan_list,
            allow_total=allow_total,
            months=months,
            month=aggregate.month if aggregate else month,
            kelurahan=kelurahan,
            aggregate=aggregate,
            headlines=[(key, label, value.get(key)) for key, label in dashboard.HEADLINES],
            charts=value.get("charts", {}),
            can_refresh=self.request.user.has_perm("reports.add_reportrun"),
        )
        return context


class DashboardRefreshView(PermissionMixin, View):
    """Signed-in users only; the service checks the permissions (PermissionDenied: 403)."""

    def post(self, request):
        services.dashboard_refresh_request(actor=request.user)
        messages.success(
            request, _("Perhitungan ulang dasbor dimasukkan ke antrean; angka baru tampil setelah selesai.")
        )
        return redirect("reports:dashboard")
