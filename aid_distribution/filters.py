"""GET filters of the aid pages (django-filter, docs/conventions.md); querysets always come from the selectors,
which scope them to the user."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aid_distribution.models import DistributionRound, Entitlement, RoundStatus

SEARCH_MAX_LENGTH = 100


class RoundFilter(django_filters.FilterSet):
    """The round list: by status (an unknown status is ignored, the list shows every round)."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=RoundStatus.choices, empty_label=_("Semua status"))

    class Meta:
        model = DistributionRound
        fields = ["status"]


class EntitlementFilter(django_filters.FilterSet):
    """The worker's page of a round: `q` finds a household by its address or the name of an active member."""

    q = django_filters.CharFilter(label=_("Cari nama atau alamat"), method="filter_q")

    class Meta:
        model = Entitlement
        fields = ["q"]

    def filter_q(self, queryset, name, value):
        term = value.strip()[:SEARCH_MAX_LENGTH]
        if not term:
            return queryset
        return queryset.filter(
            Q(household__address__icontains=term)
            | Q(household__members__full_name__icontains=term, household__members__is_active=True)
        ).distinct()


class CardLookupFilter(django_filters.FilterSet):
    """A scanned household card: `token` (required) is the QR's `Household.card_token`."""

    token = django_filters.CharFilter(label=_("Token kartu"), field_name="household__card_token", required=True)

    class Meta:
        model = Entitlement
        fields = ["token"]
