"""GET filters of the aid pages (django-filter, docs/conventions.md); querysets always come from the selectors,
which scope them to the user."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aid_distribution.models import DistributionRound, Entitlement, RoundStatus
from beneficiaries.validators import card_code_normalise

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


class CardLookupForm(forms.Form):
    """At most one of the two ways to name a card (neither is the selector's 404); a typed code is read leniently
    (`beneficiaries.validators.card_code_normalise`) and refused, saying why, when it cannot be one."""

    def clean_code(self):
        typed = self.cleaned_data.get("code") or ""
        if not typed.strip():
            return ""
        code = card_code_normalise(typed)
        if not code:
            raise forms.ValidationError(
                _("“%(typed)s” bukan kode kartu: kode kartu terdiri dari 10 huruf dan angka, mis. ABCDE-12345."),
                code="card_code_invalid",
                params={"typed": typed.strip()[:20]},
            )
        return code

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("token") and cleaned.get("code"):
            raise forms.ValidationError(_("Pindai QR kartu atau ketik kode kartu, tidak keduanya."), code="card_both")
        return cleaned


class CardLookupFilter(django_filters.FilterSet):
    """A household card: `token` is the scanned QR (`Household.card_token`), `code` the short code printed under
    it and typed where a phone cannot scan (`Household.card_code`; case, spaces and dashes do not matter)."""

    token = django_filters.CharFilter(label=_("Token kartu"), field_name="household__card_token")
    code = django_filters.CharFilter(label=_("Kode kartu"), field_name="household__card_code")

    class Meta:
        model = Entitlement
        fields = ["token", "code"]
        form = CardLookupForm
