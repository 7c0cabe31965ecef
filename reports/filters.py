"""The dashboard's choice of month and kelurahan (django-filter: no hand-written query-string parsing)."""

import datetime

import django_filters
from django.utils.translation import gettext_lazy as _

from reports.models import DashboardAggregate


class DashboardFilter(django_filters.FilterSet):
    """`?bulan=YYYY-MM-DD&kelurahan=<id>` over the dashboard aggregates.

    A kelurahan outside the list the user may pick, or none, means the kecamatan total when the user may see it,
    otherwise the first kelurahan of the list; an empty or unreadable month means the latest computed month. After
    `qs`, `kelurahan` and `month` say what was chosen (the page shows them in its selects).
    """

    # Both are applied together in `filter_queryset` (an empty kelurahan is a choice too: the kecamatan total).
    bulan = django_filters.DateFilter(label=_("Bulan"))
    kelurahan = django_filters.ChoiceFilter(label=_("Kelurahan"), choices=[])

    class Meta:
        model = DashboardAggregate
        fields = ["bulan", "kelurahan"]

    def __init__(
        self, data=None, *, queryset, kelurahan_list: list, allow_total: bool, latest_month: datetime.date | None
    ):
        super().__init__(data, queryset=queryset)
        self.kelurahan_list = kelurahan_list
        self.allow_total = allow_total
        self.latest_month = latest_month
        # In memory (the list is already loaded): choosing a kelurahan costs no query.
        self.filters["kelurahan"].extra["choices"] = [(str(k.pk), k.name) for k in kelurahan_list]
        self.kelurahan = None
        self.month = latest_month

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        by_id = {str(k.pk): k for k in self.kelurahan_list}
        self.kelurahan = by_id.get(data.get("kelurahan") or "")
        if self.kelurahan is None and not self.allow_total:
            if not self.kelurahan_list:
                return queryset.none()
            self.kelurahan = self.kelurahan_list[0]
        chosen = data.get("bulan")
        self.month = chosen.replace(day=1) if chosen else self.latest_month
        queryset = queryset.filter(kelurahan=self.kelurahan)
        if self.month is not None:
            queryset = queryset.filter(month=self.month)
        return queryset.order_by("-month")
