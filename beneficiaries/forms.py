"""Crispy forms of the registry; every rule lives in the services, forms only parse and show errors."""

import decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.db import models
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from beneficiaries import choices
from beneficiaries import fields as editable
from beneficiaries.fields import MEMBER_EDITABLE, SENSITIVE_FIELDS
from beneficiaries.models import Household, ImportBatch, Member
from beneficiaries.validators import normalise_number, validate_kk, validate_nik
from core.models import RT
from core.privacy import NOTICE_VERSION


def rt_queryset(user):
    rts = RT.objects.filter(is_active=True).select_related("kelurahan").order_by("kelurahan__name", "number")
    scope = user.kelurahan_scope()
    if scope is not None:
        rts = rts.filter(kelurahan__in=scope)
    return rts


class RTChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.kelurahan.name} · RT {obj.number:03d} / RW {obj.rw:03d}"


class DecimalInput(forms.DecimalField):
    """A decimal typed with a comma or a point (-2,9934 or -2.9934), rounded to the registry's places: a phone's GPS
    gives more decimals than the registry keeps. The range is the model field's (its validators run on save)."""

    def __init__(self, *, places: int, **kwargs):
        self.places = places
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
            if "," in value and "." not in value:
                value = value.replace(",", ".")
        number = super().to_python(value)
        if number is None:
            return None
        return number.quantize(decimal.Decimal(1).scaleb(-self.places), rounding=decimal.ROUND_HALF_UP)


# Presentation only: the width of a field on the grid (every field of a section not named here takes the
# section's width). Which fields the form has comes from `beneficiaries.fields`.
SECTION_WIDTH = {
    editable.IDENTITY: "col-md-6",
    editable.WELFARE: "col-6 col-md-3",
    editable.HOUSING: "col-md-4",
    editable.ASSETS: "col-6 col-md-4 col-lg-3",  # two to a row on a phone
}
FIELD_WIDTH = {
    "kk_number": "col-md-4",
    "rt": "col-md-8",
    "address": "col-md-9",
    "house_number": "col-md-3",
    "desil": "col-6 col-md-2",
    "is_in_dtks": "col-6 col-md-2",
    "is_in_dtsen": "col-6 col-md-2",
    "welfare_source": "col-6 col-md-3",
    "welfare_as_of": "col-md-3",
    "latitude": "col-6 col-md-4",
    "longitude": "col-6 col-md-4",
}


class HouseholdForm(forms.ModelForm):
    rt = RTChoiceField(label=_("Kelurahan dan RT/RW"), queryset=RT.objects.none())

    class Meta:
        model = Household
        fields = list(editable.HOUSEHOLD_EDITABLE)  # a copy: Django extends it
        widgets = {
            "kk_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "nik"}),
            "welfare_as_of": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "desil": forms.Select(choices=[("", "---------")] + [(n, str(n)) for n in range(1, 11)]),
            "is_in_dtks": forms.NullBooleanSelect,
            "is_in_dtsen": forms.NullBooleanSelect,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rt"].queryset = rt_queryset(user)
        for name, field in list(self.fields.items()):
            model_field = Household._meta.get_field(name)
            if isinstance(model_field, models.DecimalField):
                self.fields[name] = field = DecimalInput(
                    places=model_field.decimal_places,
                    label=field.label,
                    required=field.required,
                    help_text=field.help_text,
                )
            if model_field.has_default() and not model_field.null:
                field.required = False  # an empty count is its default (0 assets, 1 family in the house)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        fieldsets = []
        for key, title, _collapsed in editable.HOUSEHOLD_SECTIONS:
            if key == editable.ASSETS:
                continue  # rendered by beneficiaries/_household_assets.html (a collapsible section)
            columns = [
                Column(name, css_class=FIELD_WIDTH.get(name, SECTION_WIDTH[key]))
                for name in editable.household_section(key)
            ]
            fieldsets.append(Fieldset(title, Row(*columns)))
        self.helper.layout = Layout(*fieldsets)

    def section_fields(self, key: str) -> list:
        return [self[name] for name in editable.household_section(key)]

    @property
    def asset_columns(self) -> list[tuple]:
        """(bound field, grid class) of the assets and location section (`_household_assets.html`)."""
        return [
            (bound, FIELD_WIDTH.get(bound.name, SECTION_WIDTH[editable.ASSETS]))
            for bound in self.section_fields(editable.ASSETS)
        ]

    @property
    def assets_have_errors(self) -> bool:
        return any(bound.errors for bound in self.section_fields(editable.ASSETS))

    def clean_kk_number(self):
        value = normalise_number(self.cleaned_data.get("kk_number"))
        validate_kk(value)
        return value

    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            model_field = Household._meta.get_field(name)
            if cleaned.get(name) is None and name not in self.errors and model_field.has_default():
                cleaned[name] = None if model_field.null else model_field.get_default()
        return cleaned


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = list(MEMBER_EDITABLE)  # the fields the service lets change (a copy: Django extends it)
        widgets = {
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "nik"}),
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nik"].required = False
        if user is None or not user.has_perm("beneficiaries.view_sensitive"):
            for name in SENSITIVE_FIELDS:
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        sensitive = [Column(name, css_class="col-md-4") for name in SENSITIVE_FIELDS if name in self.fields]
        self.helper.layout = Layout(
            Row(
                Column(Field("nik"), css_class="col-md-4"),
                Column("full_name", css_class="col-md-5"),
                Column("sex", css_class="col-md-3"),
            ),
            Row(
                Column("birth_place", css_class="col-md-4"),
                Column("birth_date", css_class="col-md-4"),
                Column("relationship", css_class="col-md-4"),
            ),
            Row(
                Column("marital_status", css_class="col-md-4"),
                Column("religion", css_class="col-md-4"),
                Column("occupation", css_class="col-md-4"),
            ),
            Row(
                Column("education", css_class="col-md-4"),
                Column("school_participation", css_class="col-md-4"),
                Column("nik_missing_reason", css_class="col-md-4"),
            ),
            Row(*sensitive),
        )

    def clean_nik(self):
        value = normalise_number(self.cleaned_data.get("nik"))
        if value:
            validate_nik(value)
        return value or None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("nik") and not cleaned.get("nik_missing_reason") and "nik" not in self.errors:
            self.add_error("nik", _("NIK wajib diisi, atau pilih alasan belum ada NIK."))
        return cleaned

    def validate_constraints(self):
        # Uniqueness of an active NIK is decided by the service, which can say where the NIK already is.
        return


class BaseMemberFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["user"] = self.user
        return kwargs

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            user=self.user,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def clean(self):
        """Exactly one Kepala Keluarga among the members shown (the service checks it again on save)."""
        super().clean()
        if any(self.errors):
            return
        heads = sum(
            1
            for form in self.forms
            if (form.has_changed() or form.instance.pk)
            and form.cleaned_data.get("relationship") == choices.Relationship.HEAD
        )
        if heads == 0:
            raise forms.ValidationError(
                _('Pilih satu anggota sebagai Kepala Keluarga (hubungan "Kepala Keluarga").'), code="no_head"
            )
        if heads > 1:
            raise forms.ValidationError(
                _("Hubungan dalam keluarga: hanya boleh ada satu Kepala Keluarga."), code="two_heads"
            )

    def member_rows(self) -> list[dict]:
        """Cleaned member data for the service: changed or existing forms, with `id` for existing members."""
        rows = []
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            data = {key: value for key, value in form.cleaned_data.items() if key in form._meta.fields}
            data["id"] = form.instance.pk
            rows.append(data)
        return rows


MemberFormSet = inlineformset_factory(
    Household,
    Member,
    form=MemberForm,
    formset=BaseMemberFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    can_delete=False,
)

MemberCreateFormSet = inlineformset_factory(
    Household,
    Member,
    form=MemberForm,
    formset=BaseMemberFormSet,
    extra=2,
    min_num=1,
    validate_min=True,
    can_delete=False,
)


class SearchForm(forms.Form):
    KIND_CHOICES = [("nik", _("NIK")), ("kk", _("Nomor KK")), ("name", _("Nama"))]
    kind = forms.ChoiceField(
        label=_("Cari berdasarkan"),
        choices=KIND_CHOICES,
        initial="nik",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    q = forms.CharField(label=_("Kata kunci"), max_length=150, widget=forms.TextInput(attrs={"class": "form-control"}))

    def clean(self):
        cleaned = super().clean()
        kind, q = cleaned.get("kind"), (cleaned.get("q") or "").strip()
        if kind in ("nik", "kk"):
            number = normalise_number(q)
            if len(number) != 16 or not number.isdigit():
                self.add_error("q", _("%(label)s harus 16 digit angka.") % {"label": dict(self.KIND_CHOICES)[kind]})
            cleaned["q"] = number
        elif len(q) < 3:
            self.add_error("q", _("Nama: ketik minimal 3 huruf."))
        return cleaned


class DeactivateForm(forms.Form):
    reason = forms.TypedChoiceField(
        label=_("Alasan dinonaktifkan"), choices=[("", "---------"), *choices.RemovalReason.choices], coerce=int
    )
    note = forms.CharField(label=_("Keterangan"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class MemberMoveForm(forms.Form):
    MODE_CHOICES = [("existing", _("Ke keluarga lain yang sudah terdaftar")), ("new", _("Ke KK baru (pecah KK)"))]
    mode = forms.ChoiceField(label=_("Tujuan"), choices=MODE_CHOICES, widget=forms.RadioSelect, initial="new")
    target_kk = forms.CharField(
        label=_("Nomor KK keluarga tujuan"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    new_kk = forms.CharField(
        label=_("Nomor KK baru"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    new_rt = RTChoiceField(label=_("Kelurahan dan RT/RW KK baru"), queryset=RT.objects.none(), required=False)
    new_address = forms.CharField(label=_("Alamat KK baru"), max_length=200, required=False)
    relationship = forms.TypedChoiceField(
        label=_("Hubungan dalam keluarga tujuan"), choices=choices.Relationship.choices, coerce=int
    )
    note = forms.CharField(label=_("Keterangan"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_rt"].queryset = rt_queryset(user)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == "existing":
            number = normalise_number(cleaned.get("target_kk"))
            if len(number) != 16:
                self.add_error("target_kk", _("Nomor KK keluarga tujuan harus 16 digit angka."))
            cleaned["target_kk"] = number
        else:
            number = normalise_number(cleaned.get("new_kk"))
            try:
                validate_kk(number)
            except forms.ValidationError as error:
                self.add_error("new_kk", error)
            cleaned["new_kk"] = number
            if not cleaned.get("new_rt"):
                self.add_error("new_rt", _("Kelurahan dan RT/RW KK baru wajib dipilih."))
            if not cleaned.get("new_address"):
                self.add_error("new_address", _("Alamat KK baru wajib diisi."))
        return cleaned


class DuplicateDecisionForm(forms.Form):
    DECISIONS = [
        ("keep_member", _("Gabungkan, pertahankan data pertama")),
        ("keep_other", _("Gabungkan, pertahankan data kedua")),
        ("dismiss", _("Bukan orang yang sama")),
    ]
    decision = forms.ChoiceField(label=_("Keputusan"), choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas CSV atau XLSX"),
        help_text=_(
            "Gunakan templat. Satu baris per anggota keluarga; baris dengan nomor KK yang sama menjadi satu keluarga."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ConsentForm(forms.Form):
    """Shown on every household page, so it is rendered by hand (`_form_fields.html`), not by crispy."""

    consenter_name = forms.CharField(
        label=_("Nama pemberi persetujuan"), max_length=150, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    purpose = forms.ChoiceField(
        label=_("Tujuan"), choices=choices.ConsentPurpose.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    notice_version = forms.CharField(
        label=_("Versi pemberitahuan privasi"),
        max_length=20,
        initial=NOTICE_VERSION,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    consented_on = forms.DateField(
        label=_("Tanggal persetujuan"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )


class ImportActionForm(forms.Form):
    """The buttons of the import page: which `ImportBatch.Action` the uploader chose."""

    action = forms.ChoiceField(
        choices=ImportBatch.Action.choices, error_messages={"invalid_choice": _("Tindakan impor tidak dikenal.")}
    )


class HeadSuccessorMixin:
    """`new_head`: when the member leaving is the family's Kepala Keluarga, who takes over (services.heads)."""

    def add_successor_field(self, member: Member | None) -> None:
        if member is None or member.relationship != choices.Relationship.HEAD:
            return
        others = Member.objects.active().filter(household_id=member.household_id).exclude(pk=member.pk)
        if others.filter(relationship=choices.Relationship.HEAD).exists() or not others.exists():
            return
        self.fields["new_head"] = forms.ModelChoiceField(
            label=_("Kepala Keluarga baru"),
            queryset=others.order_by("birth_date", "pk"),
            help_text=_("%(name)s adalah Kepala Keluarga: pilih anggota yang menggantikannya.")
            % {"name": member.full_name},
        )


class MemberDeactivateForm(HeadSuccessorMixin, DeactivateForm):
    def __init__(self, *args, member: Member | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_successor_field(member)


class MemberMoveWithSuccessorForm(HeadSuccessorMixin, MemberMoveForm):
    def __init__(self, *args, member: Member | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_successor_field(member)


class HouseholdFlagResolveForm(forms.Form):
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)
