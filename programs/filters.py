"""GET filters of the programs pages (django-filter): the forms parse and validate the query string, the views
pass the cleaned values to the selectors."""

import django_filters
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Member
from programs.models import Enrollment


class CandidateFilter(django_filters.FilterSet):
    """The candidate list: without `q` the eligible candidates, with `q` any visible member by name."""

    q = django_filters.CharFilter(label=_("Cari anggota berdasarkan nama"), max_length=100, method="filter_none")

    class Meta:
        model = Member
        fields = ["q"]

    def filter_none(self, queryset, name, value):
        return queryset  # the selector decides (member_search_for_cohort), see `query`

    @property
    def query(self) -> str:
        if not self.form.is_valid():
            return ""
        return (self.form.cleaned_data.get("q") or "").strip()


class DashboardFilter(django_filters.FilterSet):
    """The dashboard's program and cohort (angkatan) ids; the view looks them up among the lists it shows (so
    that choosing costs no query) and answers 404 for an id that is not there."""

    program = django_filters.NumberFilter(label=_("Program"), min_value=1, method="filter_none")
    angkatan = django_filters.NumberFilter(label=_("Angkatan"), min_value=1, method="filter_none")

    class Meta:
        model = Enrollment
        fields = ["program", "angkatan"]

    def filter_none(self, queryset, name, value):
        return queryset  # the dashboard selector takes the program and cohort objects

    def ids(self) -> tuple[int | None, int | None]:
        """(program id, cohort id); a value that is not a positive whole number is ignored, as an empty one."""
        self.form.is_valid()
        data = self.form.cleaned_data

        def whole(name):
            value = data.get(name)
            return int(value) if value is not None and value == int(value) else None

        return whole("program"), whole("angkatan")
