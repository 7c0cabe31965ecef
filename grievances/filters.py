"""Filters of the grievance and change-request lists (django-filter: no hand-written query-string parsing)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Kelurahan
from grievances.models import OPEN_STATUSES, Category, ChangeRequest, ChangeRequestStatus, Grievance, Priority, Status


class GrievanceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Cari"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("Semua status"))
    category = django_filters.ChoiceFilter(
        label=_("Kategori"), choices=Category.choices, empty_label=_("Semua kategori")
    )
    priority = django_filters.ChoiceFilter(
        label=_("Prioritas"), choices=Priority.choices, empty_label=_("Semua prioritas")
    )
    kelurahan = django_filters.ModelChoiceFilter(
        label=_("Kelurahan"), queryset=Kelurahan.objects.all(), empty_label=_("Semua kelurahan")
    )
    mine = django_filters.BooleanFilter(
        label=_("Hanya tugas saya"), method="filter_mine", widget=django_filters.widgets.BooleanWidget()
    )
    overdue = django_filters.BooleanFilter(
        label=_("Hanya yang lewat batas waktu"), method="filter_overdue", widget=django_filters.widgets.BooleanWidget()
    )

    class Meta:
        model = Grievance
        fields = ["q", "status", "category", "priority", "kelurahan"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        scope = user.kelurahan_scope() if user is not None else None
        if scope is not None:
            self.filters["kelurahan"].queryset = Kelurahan.objects.filter(pk__in=scope)

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            css = "form-select form-select-sm" if hasattr(field, "choices") else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
        return form

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(title__icontains=value) | Q(complainant_name__icontains=value)
        if value.lstrip("#").isdigit():
            condition |= Q(pk=int(value.lstrip("#")))
        return queryset.filter(condition)

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assigned_to=self.user) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())


class ChangeRequestFilter(django_filters.FilterSet):
    """`?status=menunggu`: an unknown status is ignored (the whole list), never an error page."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ChangeRequestStatus.choices, empty_label=_("Semua status")
    )

    class Meta:
        model = ChangeRequest
        fields = ["status"]
