"""The household list's filters (django-filter); the queryset always comes from `visible_to(user)`."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries import choices
from beneficiaries.models import Household, Member
from core.models import Kelurahan

DESIL_CHOICES = [(n, str(n)) for n in range(1, 11)]
STATUS_CHOICES = [("active", _("Aktif")), ("inactive", _("Nonaktif")), ("all", _("Semua"))]


def school_age_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Birth dates of children aged 7 to 18 today (inclusive): (oldest, youngest)."""

    def years_ago(years: int) -> datetime.date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    oldest = years_ago(19) + datetime.timedelta(days=1)
    youngest = years_ago(7)
    return oldest, youngest


def children_out_of_school_members():
    """Active members aged 7-18 whose school participation is known and is not "masih sekolah"."""
    oldest, youngest = school_age_bounds(timezone.localdate())
    return Member.objects.filter(
        is_active=True,
        birth_date__gte=oldest,
        birth_date__lte=youngest,
        school_participation__in=[choices.SchoolParticipation.NEVER, choices.SchoolParticipation.NO_LONGER],
    )


class HouseholdFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Nama anggota"), method="filter_name")
    kelurahan = django_filters.ModelChoiceFilter(
        label=_("Kelurahan"), queryset=Kelurahan.objects.none(), empty_label=_("Semua kelurahan")
    )
    rt = django_filters.NumberFilter(label=_("RT"), field_name="rt__number", min_value=1, max_value=999)
    rw = django_filters.NumberFilter(label=_("RW"), field_name="rt__rw", min_value=1, max_value=999)
    desil = django_filters.MultipleChoiceFilter(
        label=_("Desil"), choices=DESIL_CHOICES, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    children_out_of_school = django_filters.BooleanFilter(
        label=_("Ada anak 7-18 tahun tidak sekolah"),
        method="filter_children_out_of_school",
        widget=forms.CheckboxInput,
    )
    has_disability = django_filters.BooleanFilter(
        label=_("Ada anggota penyandang disabilitas"), method="filter_disability", widget=forms.CheckboxInput
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="filter_status", empty_label=None
    )

    class Meta:
        model = Household
        fields = ["q", "kelurahan", "rt", "rw", "desil", "children_out_of_school", "has_disability", "status"]

    def __init__(self, data=None, *args, user=None, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("status", "active")
        super().__init__(data, *args, **kwargs)
        self.user = user
        scope = user.kelurahan_scope() if user is not None else []
        kelurahan = Kelurahan.objects.all()
        if scope is not None:
            kelurahan = kelurahan.filter(pk__in=scope)
        self.filters["kelurahan"].queryset = kelurahan
        if user is None or not user.has_perm("beneficiaries.view_sensitive"):
            # Disability is specific personal data (UU PDP Pasal 4): not even a filter without the permission.
            del self.filters["has_disability"]

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                widget = field.widget
                if isinstance(widget, forms.CheckboxInput):
                    widget.attrs["class"] = "form-check-input"
                elif isinstance(widget, forms.Select):
                    widget.attrs["class"] = "form-select"
                elif not isinstance(widget, forms.CheckboxSelectMultiple):
                    widget.attrs["class"] = "form-control"
            form._styled = True
        return form

    def filter_status(self, queryset, name, value):
        if value == "inactive":
            return queryset.filter(is_active=False)
        if value == "all":
            return queryset
        return queryset.filter(is_active=True)

    def filter_name(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        matches = name_match(Member.objects.all(), value).values("household_id")
        return queryset.filter(pk__in=matches)

    def filter_children_out_of_school(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(children_out_of_school_members().filter(household=OuterRef("pk"))))

    def filter_disability(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(Member.objects.filter(household=OuterRef("pk"), is_active=True, disability__isnull=False))
        )


def name_match(members, name: str):
    """Members whose name has a word similar to each word of `name` (`%>`, the GIN index benef_member_name_trgm)."""
    words = [word for word in name.split() if len(word) >= 2] or [name.strip()]
    for word in words:
        members = members.filter(full_name__trigram_word_similar=word)
    return members


class KeysetCursorFilter(django_filters.FilterSet):
    """The list's page cursors (`after`, `before`, `last=1`), read through a FilterSet like every GET parameter:
    a cursor that is not a positive number is ignored (the first page), never a 500."""

    after = django_filters.NumberFilter(method="keep", min_value=1)
    before = django_filters.NumberFilter(method="keep", min_value=1)
    last = django_filters.ChoiceFilter(method="keep", choices=[("1", "1")])

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, queryset=Household.objects.none(), **kwargs)

    def keep(self, queryset, name, value):
        return queryset

    @property
    def cursor(self) -> dict:
        """Keyword arguments for `selectors.keyset_page`; an invalid cursor is dropped, the rest stay."""
        self.form.is_valid()
        cleaned = getattr(self.form, "cleaned_data", {})
        return {
            "after": int(cleaned["after"]) if cleaned.get("after") is not None else None,
            "before": int(cleaned["before"]) if cleaned.get("before") is not None else None,
            "last": cleaned.get("last") == "1",
        }
