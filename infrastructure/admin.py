"""Django admin for projects and progress reports; every write with rules goes through the services
(core.admin.ServiceAdmin), which show their errors on the form; no rule is copied here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin
from infrastructure import services
from infrastructure.forms import MultipleImageField
from infrastructure.models import (
    Connection,
    InfrastructureProject,
    ProgressPhoto,
    ProgressUpdate,
    ProjectStatus,
    ProjectStatusChange,
)


class ProjectAdminForm(forms.ModelForm):
    """The project's editable fields plus an optional status move; every rule is the services' (see
    InfrastructureProjectAdmin.service_save), none is copied here."""

    connects = forms.MultipleChoiceField(
        label=_("Menghubungkan ke"), choices=Connection.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    to_status = forms.ChoiceField(
        label=_("Ubah status menjadi"),
        choices=[("", _("— tidak diubah —")), *ProjectStatus.choices],
        required=False,
    )
    status_changed_on = forms.DateField(label=_("Tanggal perubahan status"), required=False)
    status_note = forms.CharField(label=_("Catatan perubahan status"), required=False, widget=forms.Textarea)
    halt_reason_input = forms.CharField(
        label=_("Alasan dihentikan"), required=False, widget=forms.Textarea, help_text=_("Wajib bila dihentikan.")
    )

    class Meta:
        model = InfrastructureProject
        fields = [
            "name",
            "kind",
            "description",
            "fiscal_year",
            "kelurahan_served",
            "rts",
            *(f for f in services.EDITABLE_FIELDS if f not in {"name", "kind", "description", "fiscal_year"}),
        ]


#: The status service names its inputs changed_on and halt_reason; the admin form calls them otherwise.
SERVICE_TO_FORM_FIELD = {"changed_on": "status_changed_on", "halt_reason": "halt_reason_input"}


def _on_form_fields(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({SERVICE_TO_FORM_FIELD.get(name, name): errors for name, errors in exc.error_dict.items()})


class ProjectStatusChangeInline(ReadOnlyInline, admin.TabularInline):
    model = ProjectStatusChange
    fields = ["changed_on", "from_status", "to_status", "note", "changed_by"]
    readonly_fields = fields


@admin.register(InfrastructureProject)
class InfrastructureProjectAdmin(ServiceAdmin):
    """Adds and edits go through `project_create` / `project_update`, then `project_transition` for a status move,
    in one transaction: a refused move leaves the edit unsaved too, and the errors appear on the form."""

    form = ProjectAdminForm
    list_display = ["name", "kind", "status", "fiscal_year", "funding_source", "budget", "is_delayed"]
    list_filter = ["status", "kind", "funding_source", "fiscal_year", "is_delayed", "kelurahan_served"]
    search_fields = ["name", "contractor", "contract_number"]
    filter_horizontal = ["kelurahan_served", "rts"]
    readonly_fields = ["status", "halt_reason", "handed_over_on", "is_delayed", "delay_reason", "delay_computed_at"]
    inlines = [ProjectStatusChangeInline]
    fieldsets = (
        (None, {"fields": ("name", "kind", "description", "fiscal_year", "kelurahan_served", "rts")}),
        (_("Lokasi dan ukuran"), {"fields": ("latitude", "longitude", "route", "size_value", "size_unit")}),
        (_("Anggaran dan pelaksana"), {"fields": ("budget", "funding_source", "contractor", "contract_number")}),
        (
            _("Jadwal"),
            {"fields": ("planned_start_on", "planned_end_on", "actual_start_on", "actual_end_on", "handed_over_on")},
        ),
        (_("Manfaat"), {"fields": ("connects", "households_served")}),
        (
            _("Status"),
            {
                "fields": (
                    "status",
                    "halt_reason",
                    "to_status",
                    "status_changed_on",
                    "status_note",
                    "halt_reason_input",
                    "is_delayed",
                    "delay_reason",
                    "delay_computed_at",
                )
            },
        ),
    )

    def service_save(self, request, *, obj, data, change):
        fields = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
        served = list(data.get("kelurahan_served") or [])
        rts = list(data.get("rts") or [])
        try:
            if change:
                project = services.project_update(
                    actor=request.user, project=obj, data={**fields, "kelurahan_served": served, "rts": rts}
                )
            else:
                project = services.project_create(actor=request.user, kelurahan_served=served, rts=rts, **fields)
            target = data.get("to_status")
            if target and target != project.status:
                project = services.project_transition(
                    actor=request.user,
                    project=project,
                    to_status=target,
                    changed_on=data.get("status_changed_on") or timezone.localdate(),
                    note=data.get("status_note") or "",
                    halt_reason=data.get("halt_reason_input") or "",
                )
        except ValidationError as exc:
            raise _on_form_fields(exc) from exc
        return project

    def save_related(self, request, form, formsets, change):
        # The many-to-many fields were written by the service; only the (read-only) inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class ProgressPhotoInline(ReadOnlyInline, admin.TabularInline):
    model = ProgressPhoto
    fields = ["preview", "width", "height", "has_gps", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("Foto"))
    def preview(self, obj):
        url = reverse("infrastructure:photo", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Lihat foto"))


class ProgressUpdateAdminForm(forms.ModelForm):
    new_photos = MultipleImageField(label=_("Foto"), required=False)
    keep_gps = forms.BooleanField(label=_("Simpan lokasi GPS dari foto"), required=False)

    class Meta:
        model = ProgressUpdate
        fields = ["project", "reported_on", "physical_progress", "spent_cumulative", "note", "regression_reason"]

    def validate_unique(self):
        # The service reports a second report on the same day in Indonesian, naming the date.
        pass


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ServiceAdmin):
    """A report is recorded through `progress_update_create` (its rules and photo checks); afterwards only its note
    may be corrected, through `progress_update_update`."""

    form = ProgressUpdateAdminForm
    list_display = ["project", "reported_on", "physical_progress", "spent_cumulative", "reported_by"]
    list_filter = ["reported_on", "project__kind", "project__status"]
    search_fields = ["project__name", "note"]
    autocomplete_fields = ["project"]
    list_select_related = ["project", "reported_by"]
    inlines = [ProgressPhotoInline]

    def get_readonly_fields(self, request, obj=None):
        # A report is evidence: once recorded, only its note may be corrected.
        if obj is not None:
            return ["project", "reported_on", "physical_progress", "spent_cumulative", "regression_reason"]
        return []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["fields"] = ["note"]
        return super().get_form(request, obj, change=change, **kwargs)

    def service_save(self, request, *, obj, data, change):
        if change:
            return services.progress_update_update(actor=request.user, update=obj, data={"note": data.get("note", "")})
        return services.progress_update_create(
            actor=request.user,
            project=data["project"],
            reported_on=data["reported_on"],
            physical_progress=data["physical_progress"],
            spent_cumulative=data["spent_cumulative"],
            note=data.get("note") or "",
            regression_reason=data.get("regression_reason") or "",
            photos=data.get("new_photos") or [],
            keep_gps=data.get("keep_gps") or False,
        )

    def save_related(self, request, form, formsets, change):
        # The service saved the report and its photos; the read-only photo inline has nothing to add.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(ProgressPhoto)
class ProgressPhotoAdmin(admin.ModelAdmin):
    list_display = ["pk", "update", "width", "height", "has_gps", "created_at"]
    list_select_related = ["update__project"]
    search_fields = ["update__project__name"]
    readonly_fields = ["update", "image", "width", "height", "has_gps", "created_at"]

    def has_add_permission(self, request):
        # Photos arrive with a progress report, through the service that checks and resizes them.
        return False


@admin.register(ProjectStatusChange)
class ProjectStatusChangeAdmin(ReadOnlyAdmin):
    """The timeline of a project, written only by `project_create` and `project_transition`."""

    list_display = ["project", "changed_on", "from_status", "to_status", "changed_by"]
    list_filter = ["to_status"]
    search_fields = ["project__name", "note"]
    list_select_related = ["project", "changed_by"]
    readonly_fields = ["project", "from_status", "to_status", "changed_on", "note", "changed_by", "created_at"]
