"""Screens of the infrastructure app: thin views over the selectors, services and forms."""

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from core.access import PermissionMixin
from core.forms import add_service_error
from infrastructure import exports, selectors, services
from infrastructure.filters import ProjectFilter
from infrastructure.forms import ProgressUpdateForm, ProjectForm, StatusChangeForm

PAGE_SIZE = 25


class FilteredProjectsMixin:
    def get_filter(self):
        return ProjectFilter(self.request.GET or None, queryset=selectors.project_list(user=self.request.user))


def map_config() -> dict:
    return {
        "tile_url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": [-3.0215, 104.7230],  # Kecamatan Kertapati
        "zoom": 14,
    }


class ProjectListView(PermissionMixin, FilteredProjectsMixin, TemplateView):
    permission_required = selectors.VIEW_PERMISSION
    template_name = "infrastructure/infrastructureproject_list.html"
    extra_context = {"title": gettext_lazy("Proyek infrastruktur")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project_filter = self.get_filter()
        page = Paginator(project_filter.qs, PAGE_SIZE).get_page(self.request.GET.get("halaman"))
        query = self.request.GET.copy()
        query.pop("halaman", None)
        context.update(
            filter=project_filter,
            page_obj=page,
            projects=page.object_list,
            query=query.urlencode(),
            attention=selectors.attention_list(user=self.request.user),
            today=timezone.localdate(),
        )
        return context


class ProjectMapView(PermissionMixin, FilteredProjectsMixin, TemplateView):
    permission_required = selectors.VIEW_PERMISSION
    template_name = "infrastructure/infrastructureproject_map.html"
    extra_context = {"title": gettext_lazy("Peta proyek infrastruktur")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project_filter = self.get_filter()
        features = selectors.project_map_data(queryset=project_filter.qs)
        context.update(
            filter=project_filter,
            map_data=features,
            map_config=map_config(),
            query=self.request.GET.urlencode(),
        )
        return context


class ProjectDetailView(PermissionMixin, TemplateView):
    """Out of scope and missing are the same 404 (the selector decides)."""

    template_name = "infrastructure/infrastructureproject_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        detail = selectors.project_detail(user=self.request.user, pk=self.kwargs["pk"])
        context.update(detail)
        context.update(title=detail["project"].name, map_config=map_config(), today=timezone.localdate())
        return context


class ProjectCreateView(PermissionMixin, FormView):
    permission_required = "infrastructure.add_infrastructureproject"
    template_name = "infrastructure/infrastructureproject_form.html"
    form_class = ProjectForm
    extra_context = {"title": gettext_lazy("Proyek baru")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["map_config"] = map_config()
        return context

    def form_valid(self, form):
        try:
            project = services.project_create(
                actor=self.request.user,
                kelurahan_served=list(form.cleaned_data["kelurahan_served"]),
                rts=list(form.cleaned_data["rts"]),
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Proyek “%(name)s” dicatat sebagai usulan.") % {"name": project.name})
        return redirect("infrastructure:project_detail", pk=project.pk)


class ProjectUpdateView(PermissionMixin, FormView):
    permission_required = "infrastructure.change_infrastructureproject"
    template_name = "infrastructure/infrastructureproject_form.html"
    form_class = ProjectForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.project = selectors.project_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.project}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(project=self.project, title=_("Ubah proyek"), map_config=map_config())
        return context

    def form_valid(self, form):
        try:
            services.project_update(
                actor=self.request.user,
                project=self.project,
                data={
                    **form.service_fields(),
                    "kelurahan_served": list(form.cleaned_data["kelurahan_served"]),
                    "rts": list(form.cleaned_data["rts"]),
                },
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Perubahan proyek disimpan."))
        return redirect("infrastructure:project_detail", pk=self.project.pk)


class ProjectScopedFormView(PermissionMixin, FormView):
    """A form about one visible project: out of scope is a 404 before the permission is even considered."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.project = selectors.project_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.project}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "project": self.project}


class ProgressUpdateCreateView(ProjectScopedFormView):
    permission_required = "infrastructure.add_progressupdate"
    template_name = "infrastructure/progressupdate_form.html"
    form_class = ProgressUpdateForm
    extra_context = {"title": gettext_lazy("Laporan kemajuan")}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            update = services.progress_update_create(
                actor=self.request.user,
                project=self.project,
                reported_on=data["reported_on"],
                physical_progress=data["physical_progress"],
                spent_cumulative=data["spent_cumulative"],
                note=data["note"],
                regression_reason=data["regression_reason"],
                photos=data["photos"],
                keep_gps=data["keep_gps"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Laporan kemajuan disimpan."))
        if update.is_over_budget:
            messages.warning(
                self.request,
                _("Perhatian: realisasi kumulatif melebihi pagu anggaran proyek. Laporan tetap disimpan dan ditandai."),
            )
        return redirect("infrastructure:project_detail", pk=self.project.pk)


class ProjectStatusView(ProjectScopedFormView):
    permission_required = "infrastructure.change_status_infrastructureproject"
    template_name = "infrastructure/status_form.html"
    form_class = StatusChangeForm
    extra_context = {"title": gettext_lazy("Ubah status proyek")}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            project = services.project_transition(
                actor=self.request.user,
                project=self.project,
                to_status=data["to_status"],
                changed_on=data["changed_on"],
                note=data["note"],
                halt_reason=data["halt_reason"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Status proyek sekarang: %(status)s.") % {"status": project.get_status_display()}
        )
        return redirect("infrastructure:project_detail", pk=project.pk)


class PhotoView(PermissionMixin, View):
    """Serves a photo from private storage to whoever may see its project; anyone else gets a 404."""

    def get(self, request, pk):
        photo = selectors.photo_get_for_user(user=request.user, pk=pk)
        try:
            handle = default_storage.open(photo.image.name, "rb")
        except FileNotFoundError:
            raise Http404("missing file")
        content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
        response = FileResponse(handle, content_type=content_type)
        if not content_type.startswith("image/"):
            response["Content-Disposition"] = "attachment"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ProjectExportView(PermissionMixin, FilteredProjectsMixin, View):
    permission_required = "infrastructure.export_infrastructureproject"

    def get(self, request):
        data = exports.projects_xlsx(self.get_filter().qs)
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="proyek-infrastruktur-{stamp}.xlsx"'
        return response


class ProjectSheetView(PermissionMixin, View):
    def get(self, request, pk):
        detail = selectors.project_detail(user=request.user, pk=pk)
        photo = selectors.latest_photo(detail["project"])
        data = exports.project_sheet_pdf(detail=detail, photo=photo)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="lembar-proyek-{detail["project"].pk}.pdf"'
        return response
