import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Kelurahan
from infrastructure.models import FundingSource, InfrastructureProject, ProjectKind, ProjectStatus


def year_choices():
    years = InfrastructureProject.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()
    return [(y, str(y)) for y in years]


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Cari"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("Jenis"), choices=ProjectKind.choices, empty_label=_("Semua jenis"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ProjectStatus.choices, empty_label=_("Semua status")
    )
    kelurahan = django_filters.ModelChoiceFilter(
        label=_("Kelurahan"),
        queryset=Kelurahan.objects.all(),
        method="filter_kelurahan",
        empty_label=_("Semua kelurahan"),
    )
    funding_source = django_filters.ChoiceFilter(
        label=_("Sumber dana"), choices=FundingSource.choices, empty_label=_("Semua sumber")
    )
    fiscal_year = django_filters.ChoiceFilter(label=_("Tahun"), choices=year_choices, empty_label=_("Semua tahun"))
    is_delayed = django_filters.BooleanFilter(
        label=_("Perlu perhatian saja"), widget=forms.CheckboxInput, method="filter_delayed"
    )

    class Meta:
        model = InfrastructureProject
        fields = ["q", "kind", "status", "kelurahan", "funding_source", "fiscal_year", "is_delayed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            if name == "is_delayed":
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            else:
                field.widget.attrs.update({"class": "form-control", "placeholder": _("Nama proyek/pelaksana")})

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(contractor__icontains=value))

    def filter_kelurahan(self, queryset, name, value):
        return queryset.serving(value.pk) if value else queryset

    def filter_delayed(self, queryset, name, value):
        return queryset.filter(is_delayed=True) if value else queryset
