"""Forms of the infrastructure screens (crispy, Bootstrap 5); the rules themselves live in the services."""

import json

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import add_service_error
from core.models import RT, Kelurahan
from infrastructure import services
from infrastructure.models import (
    STATUS_TRANSITIONS,
    Connection,
    InfrastructureProject,
    ProjectStatus,
    normalise_route,
)
from infrastructure.photos import MAX_PHOTOS_PER_UPDATE, MAX_UPLOAD_BYTES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one input (the pattern of Django's documentation); the service checks each one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        if len(files) > MAX_PHOTOS_PER_UPDATE:
            raise ValidationError(
                _("Paling banyak %(n)d foto per laporan.") % {"n": MAX_PHOTOS_PER_UPDATE}, code="too_many"
            )
        for upload in files:
            # The size is refused here, before anything reads the content (docs/quality.md S9).
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(
                    _("Foto “%(name)s” terlalu besar (%(size)s MB); batasnya 8 MB.")
                    % {"name": upload.name, "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ",")},
                    code="photo_too_large",
                )
        return files


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RouteField(forms.CharField):
    """The line of a road drawn on the map, posted as JSON text by the map editor (or typed by hand)."""

    widget = forms.HiddenInput

    def prepare_value(self, value):
        if isinstance(value, list):
            return json.dumps(value) if value else ""
        return value or ""

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return []
        try:
            data = json.loads(value)
        except ValueError:
            raise ValidationError(
                _("Lintasan bukan JSON yang valid; gambar ulang garisnya di peta."), code="route_json"
            )
        return normalise_route(data)


class ProjectForm(forms.ModelForm):
    kelurahan_served = forms.ModelMultipleChoiceField(
        label=_("Kelurahan yang dilayani"),
        queryset=Kelurahan.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih paling sedikit satu kelurahan yang dilayani.")},
    )
    rts = forms.ModelMultipleChoiceField(
        label=_("RT/RW yang dilayani (opsional)"),
        queryset=RT.objects.filter(is_active=True).select_related("kelurahan"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    connects = forms.MultipleChoiceField(
        label=_("Menghubungkan ke"), choices=Connection.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    route = RouteField(label=_("Lintasan"), required=False)

    class Meta:
        model = InfrastructureProject
        fields = [
            "name",
            "kind",
            "description",
            "fiscal_year",
            "kelurahan_served",
            "rts",
            "latitude",
            "longitude",
            "route",
            "size_value",
            "size_unit",
            "budget",
            "funding_source",
            "contractor",
            "contract_number",
            "planned_start_on",
            "planned_end_on",
            "actual_start_on",
            "actual_end_on",
            "connects",
            "households_served",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "planned_start_on": DateInput(),
            "planned_end_on": DateInput(),
            "actual_start_on": DateInput(),
            "actual_end_on": DateInput(),
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "class": "js-lat"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "class": "js-lng"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["fiscal_year"].initial = timezone.localdate().year
        self.fields["budget"].help_text = _("Rupiah tanpa titik atau koma, misalnya 1250000000.")
        self.fields["rts"].label_from_instance = lambda rt: f"{rt.kelurahan.name} · RT {rt.number:03d}/RW {rt.rw:03d}"
        self.fields["route"].widget.attrs["class"] = "js-route"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Data proyek"),
                "name",
                Div(Div("kind", css_class="col-md-6"), Div("fiscal_year", css_class="col-md-6"), css_class="row"),
                "description",
            ),
            Fieldset(_("Wilayah yang dilayani"), "kelurahan_served", "rts", "connects", "households_served"),
            Fieldset(
                _("Lokasi"),
                Div(css_class="map-box map-box-sm mb-2 js-location-map", data_testid="location-map"),
                Div(Div("latitude", css_class="col-6"), Div("longitude", css_class="col-6"), css_class="row"),
                Field("route"),
                Div(Div("size_value", css_class="col-6"), Div("size_unit", css_class="col-6"), css_class="row"),
            ),
            Fieldset(
                _("Anggaran dan pelaksana"),
                Div(Div("budget", css_class="col-md-6"), Div("funding_source", css_class="col-md-6"), css_class="row"),
                Div(
                    Div("contractor", css_class="col-md-6"),
                    Div("contract_number", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Jadwal"),
                Div(
                    Div("planned_start_on", css_class="col-6"),
                    Div("planned_end_on", css_class="col-6"),
                    Div("actual_start_on", css_class="col-6"),
                    Div("actual_end_on", css_class="col-6"),
                    css_class="row",
                ),
            ),
            Submit("submit", _("Simpan proyek"), css_class="btn-primary btn-touch"),
        )

    def clean(self):
        cleaned = super().clean()
        served = cleaned.get("kelurahan_served")
        if served is not None:
            try:
                services.check_served(kelurahan_served=list(served), rts=cleaned.get("rts") or [])
            except ValidationError as exc:
                add_service_error(self, exc)
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in self.cleaned_data}


class ProgressUpdateForm(forms.Form):
    reported_on = forms.DateField(label=_("Tanggal laporan"), widget=DateInput())
    physical_progress = forms.DecimalField(
        label=_("Progres fisik (%)"),
        max_digits=5,
        decimal_places=2,
        error_messages={
            "invalid": _("Progres fisik harus berupa angka, misalnya 45 atau 45,5."),
            "max_digits": _("Progres fisik harus antara 0 dan 100%."),
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    spent_cumulative = forms.IntegerField(
        label=_("Realisasi anggaran kumulatif (Rp)"),
        min_value=0,
        help_text=_("Jumlah yang sudah dibelanjakan sejak awal proyek, dalam Rupiah."),
        error_messages={
            "invalid": _("Realisasi harus berupa bilangan bulat Rupiah, tanpa titik atau koma."),
            "min_value": _("Realisasi anggaran tidak boleh negatif."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    regression_reason = forms.CharField(
        label=_("Alasan bila progres atau realisasi turun"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photos = MultipleImageField(
        label=_("Foto"),
        required=False,
        help_text=_("JPEG, PNG atau WebP, paling besar 8 MB per foto, paling banyak 10 foto."),
    )
    keep_gps = forms.BooleanField(
        label=_("Simpan lokasi GPS yang ada di foto"),
        required=False,
        help_text=_("Biarkan kosong bila foto diambil di rumah warga: lokasi GPS akan dihapus."),
    )

    def __init__(self, *args, project: InfrastructureProject, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["reported_on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(
                Div("reported_on", css_class="col-md-4"),
                Div("physical_progress", css_class="col-md-4"),
                Div("spent_cumulative", css_class="col-md-4"),
                css_class="row",
            ),
            "note",
            "regression_reason",
            "photos",
            "keep_gps",
            Submit("submit", _("Simpan laporan"), css_class="btn-primary btn-touch"),
        )

    def clean(self):
        cleaned = super().clean()
        progress = cleaned.get("physical_progress")
        if cleaned.get("reported_on") and progress is not None and cleaned.get("spent_cumulative") is not None:
            errors = services.progress_update_errors(
                project=self.project,
                reported_on=cleaned["reported_on"],
                physical_progress=progress,
                spent_cumulative=cleaned["spent_cumulative"],
                regression_reason=cleaned.get("regression_reason") or "",
            )
            if errors:
                raise ValidationError(errors)
        elif progress is not None and not (0 <= progress <= 100):
            self.add_error(
                "physical_progress", _("Progres fisik harus antara 0 dan 100%% (diisi %(p)s%%).") % {"p": progress}
            )
        return cleaned


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Status baru"))
    changed_on = forms.DateField(label=_("Tanggal"), widget=DateInput())
    note = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    halt_reason = forms.CharField(
        label=_("Alasan dihentikan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wajib bila status baru adalah Dihentikan."),
    )

    def __init__(self, *args, project: InfrastructureProject, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        allowed = STATUS_TRANSITIONS.get(project.status, ())
        self.fields["to_status"].choices = [(s, ProjectStatus(s).label) for s in allowed]
        self.fields["changed_on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(Div("to_status", css_class="col-md-6"), Div("changed_on", css_class="col-md-6"), css_class="row"),
            "note",
            "halt_reason",
            Submit("submit", _("Ubah status"), css_class="btn-primary btn-touch"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to_status") and cleaned.get("changed_on"):
            errors = services.status_transition_errors(
                project=self.project,
                to_status=cleaned["to_status"],
                changed_on=cleaned["changed_on"],
                halt_reason=cleaned.get("halt_reason") or "",
            )
            if errors:
                raise ValidationError(errors)
        return cleaned
