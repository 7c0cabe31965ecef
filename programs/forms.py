from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.choices import Education, Sex
from core.models import Kelurahan
from programs import eligibility
from programs.models import (
    COHORT_EDITABLE,
    ENTERPRISE_EDITABLE,
    OUTCOME_EDITABLE,
    PROGRAM_EDITABLE,
    SALE_EDITABLE,
    SESSION_EDITABLE,
    Cohort,
    GroupEnterprise,
    GroupSale,
    OrganiserKind,
    Outcome,
    Program,
    TrainingSession,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RupiahField(forms.IntegerField):
    """Accepts `1250000`, `1.250.000`, `Rp1.250.000` (docs/domain.md §5.2); refuses negatives with a clear message."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            cleaned = value.strip().replace("Rp", "").replace("rp", "").replace(".", "").replace(" ", "")
            if cleaned.startswith("-") and cleaned[1:].isdigit():
                raise ValidationError(_("Jumlah rupiah tidak boleh negatif."), code="negative")
            value = cleaned
        return super().to_python(value)


def _helper(label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class="btn-primary"))
    return helper


class ProgramForm(forms.ModelForm):
    budget = RupiahField(label=gettext_lazy("Anggaran (Rp)"), min_value=0)

    class Meta:
        model = Program
        fields = PROGRAM_EDITABLE
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Simpan"))

    def clean(self):
        data = super().clean()
        if data.get("organiser_kind") == OrganiserKind.INSTITUTION and not (data.get("organiser_name") or "").strip():
            self.add_error("organiser_name", _("Nama lembaga penyelenggara wajib diisi."))
        return data


class CohortForm(forms.ModelForm):
    kelurahan_set = forms.ModelMultipleChoiceField(
        queryset=Kelurahan.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Kelurahan asal peserta"),
        help_text=gettext_lazy("Kosong berarti semua kelurahan."),
    )

    class Meta:
        model = Cohort
        # The eligibility rule has its own page (RuleForm and ConditionFormSet below).
        fields = [name for name in COHORT_EDITABLE if name != "eligibility_rule"]
        widgets = {"starts_on": DATE_WIDGET, "ends_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Simpan angkatan"))
        self.helper.layout = Layout(
            Row(Column("number", css_class="col-md-3"), Column("name", css_class="col-md-9")),
            Row(Column("starts_on", css_class="col-md-6"), Column("ends_on", css_class="col-md-6")),
            Row(Column("venue", css_class="col-md-6"), Column("trainers", css_class="col-md-6")),
            Row(Column("capacity", css_class="col-md-6"), Column("min_attendance_pct", css_class="col-md-6")),
            "kelurahan_set",
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("Tanggal selesai tidak boleh sebelum tanggal mulai."))
        return data


class SessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = SESSION_EDITABLE
        widgets = {"held_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Tambah sesi"))


class RuleForm(forms.Form):
    combinator = forms.ChoiceField(
        label=gettext_lazy("Peserta layak bila memenuhi"),
        choices=list(eligibility.COMBINATORS.items()),
        widget=forms.RadioSelect,
        initial="and",
    )


class ConditionForm(forms.Form):
    """One condition of the rule builder; the fields that do not apply to the chosen type are ignored."""

    type = forms.ChoiceField(
        label=gettext_lazy("Syarat"),
        choices=[("", "---------"), *eligibility.CONDITION_TYPES.items()],
        required=False,
        widget=forms.Select(attrs={"class": "js-condition-type"}),
    )
    min_value = forms.IntegerField(label=gettext_lazy("Umur dari (tahun)"), required=False, min_value=0, max_value=120)
    max_value = forms.IntegerField(
        label=gettext_lazy("Umur sampai (tahun)"), required=False, min_value=0, max_value=120
    )
    sex = forms.TypedChoiceField(
        label=gettext_lazy("Jenis kelamin"), choices=[("", "---------"), *Sex.choices], coerce=int, required=False
    )
    desil = forms.IntegerField(label=gettext_lazy("Desil paling tinggi"), required=False, min_value=1, max_value=10)
    kelurahan = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Kelurahan"), queryset=Kelurahan.objects.all(), required=False
    )
    education_min = forms.TypedChoiceField(
        label=gettext_lazy("Pendidikan paling rendah"),
        choices=[("", "---------"), *Education.choices],
        coerce=int,
        required=False,
    )
    education_max = forms.TypedChoiceField(
        label=gettext_lazy("Pendidikan paling tinggi"),
        choices=[("", "---------"), *Education.choices],
        coerce=int,
        required=False,
    )

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        if not kind:
            data["condition"] = None
            return data
        if kind == "age":
            condition = {"type": kind, "min": data.get("min_value"), "max": data.get("max_value")}
        elif kind == "sex":
            condition = {"type": kind, "value": data.get("sex") or None}
        elif kind == "desil_max":
            condition = {"type": kind, "value": data.get("desil")}
        elif kind == "kelurahan":
            condition = {"type": kind, "values": [k.pk for k in data.get("kelurahan") or []]}
        elif kind == "education":
            condition = {
                "type": kind,
                "min": data.get("education_min") or None,
                "max": data.get("education_max") or None,
            }
        else:
            condition = {"type": kind}
        condition = {k: v for k, v in condition.items() if v is not None}
        try:
            eligibility.validate_rule({"combinator": "and", "conditions": [condition]})
        except ValidationError as error:
            # "Syarat 1: ..." from the validator; the formset row is the place, so keep the message only.
            raise ValidationError([m.split(": ", 1)[-1] for m in error.messages])
        data["condition"] = condition
        return data


ConditionFormSet = forms.formset_factory(ConditionForm, extra=2, max_num=12, validate_max=True)


def rule_initial(rule: dict) -> tuple[dict, list[dict]]:
    rule = eligibility.validate_rule(rule)
    rows = []
    for c in rule["conditions"]:
        row = {"type": c["type"]}
        if c["type"] == "age":
            row.update(min_value=c.get("min"), max_value=c.get("max"))
        elif c["type"] == "sex":
            row["sex"] = c["value"]
        elif c["type"] == "desil_max":
            row["desil"] = c["value"]
        elif c["type"] == "kelurahan":
            row["kelurahan"] = c["values"]
        elif c["type"] == "education":
            row.update(education_min=c.get("min"), education_max=c.get("max"))
        rows.append(row)
    return {"combinator": rule["combinator"]}, rows


class EnrollForm(forms.Form):
    override_reason = forms.CharField(
        label=gettext_lazy("Alasan pengecualian aturan (jika tidak memenuhi syarat)"), max_length=300, required=False
    )


class OutcomeForm(forms.ModelForm):
    income_before = RupiahField(label=gettext_lazy("Pendapatan per bulan sebelum pelatihan (Rp)"), min_value=0)
    income_after = RupiahField(label=gettext_lazy("Pendapatan per bulan saat ini (Rp)"), min_value=0)

    class Meta:
        model = Outcome
        fields = OUTCOME_EDITABLE
        widgets = {"recorded_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Simpan hasil"))
        self.helper.layout = Layout(
            Row(Column("recorded_on", css_class="col-md-6"), Column("is_working", css_class="col-md-6 pt-md-4")),
            Fieldset(
                _("Usaha"),
                "has_business",
                Row(Column("business_kind", css_class="col-md-6"), Column("business_name", css_class="col-md-6")),
                "products",
            ),
            Fieldset(
                _("Pendapatan per bulan"),
                Row(Column("income_before", css_class="col-md-6"), Column("income_after", css_class="col-md-6")),
            ),
            Fieldset(
                _("Penjualan daring"),
                "sells_online",
                Row(
                    Column("sells_on_marketplace", css_class="col-4"),
                    Column("sells_on_social_media", css_class="col-4"),
                    Column("sells_on_whatsapp", css_class="col-4"),
                ),
            ),
            "note",
        )

    def _post_clean(self):
        # Copy the data onto the instance only: the service attaches the follow-up, applies the rules between the
        # fields (channels only when selling online) and validates the model.
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = GroupEnterprise
        fields = ENTERPRISE_EDITABLE
        widgets = {"founded_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Simpan"))


class SaleForm(forms.ModelForm):
    amount = RupiahField(label=gettext_lazy("Omzet (Rp)"), min_value=0)
    online_amount = RupiahField(label=gettext_lazy("Omzet daring (Rp)"), min_value=0, initial=0)
    month = forms.DateField(
        label=gettext_lazy("Bulan"),
        widget=forms.DateInput(attrs={"type": "month"}),
        input_formats=["%Y-%m", "%m-%Y", "%Y-%m-%d", "%d-%m-%Y"],
    )

    class Meta:
        model = GroupSale
        fields = SALE_EDITABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Catat penjualan"))

    def clean(self):
        data = super().clean()
        amount, online = data.get("amount"), data.get("online_amount")
        if amount is not None and online is not None and online > amount:
            self.add_error("online_amount", _("Omzet daring tidak boleh melebihi omzet total."))
        return data

    def _post_clean(self):
        # The service attaches the enterprise, moves the month to its first day and validates the model.
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class EnterpriseMemberForm(forms.Form):
    member = forms.ModelChoiceField(label=gettext_lazy("Anggota"), queryset=None)
    role = forms.CharField(label=gettext_lazy("Peran"), max_length=50, required=False)
    joined_on = forms.DateField(label=gettext_lazy("Tanggal bergabung"), widget=DATE_WIDGET)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].error_messages["invalid_choice"] = _(
            "Pilih lulusan program yang terlihat oleh Anda dan belum menjadi anggota kelompok."
        )
        self.helper = _helper(_("Tambah anggota"))
        self.helper.form_tag = True
