import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.builders.periods import add_months, month_start
from reports.models import ReportType


def month_choices(count: int = 24) -> list[tuple[str, str]]:
    from django.utils import formats

    current = month_start(timezone.localdate())
    months = [add_months(current, -i) for i in range(count)]
    return [(m.isoformat(), formats.date_format(m, "F Y")) for m in months]


class ReportRequestForm(forms.Form):
    report_type = forms.ChoiceField(label=_("Jenis laporan"), choices=ReportType.choices)
    month = forms.ChoiceField(label=_("Periode (bulan)"))
    kelurahan = forms.ModelChoiceField(
        label=_("Cakupan"), queryset=None, required=False, empty_label=_("Seluruh Kecamatan Kertapati")
    )

    def __init__(self, *args, kelurahan_queryset, allow_kecamatan: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices()
        self.fields["month"].initial = add_months(month_start(timezone.localdate()), -1).isoformat()
        self.fields["kelurahan"].queryset = kelurahan_queryset
        if not allow_kecamatan:
            self.fields["kelurahan"].required = True
            self.fields["kelurahan"].empty_label = None
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("report_type", css_class="col-md-4"),
                Column("month", css_class="col-md-2"),
                Column("kelurahan", css_class="col-md-4"),
                Column(
                    Submit("submit", _("Buat laporan"), css_class="w-100 report-submit"),
                    css_class="col-md-2 d-flex align-items-end mb-3",
                ),
            )
        )

    def clean_month(self) -> datetime.date:
        try:
            return datetime.date.fromisoformat(self.cleaned_data["month"])
        except ValueError:
            raise forms.ValidationError(_("Pilih bulan dari daftar."), code="month")
