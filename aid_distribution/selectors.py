"""Reads, always through `visible_to(user)`; `*_get_for_user` raise Http404 for "not yours" and "missing" alike.

The coordination queries (`double_served_*`, `never_served_*`) are plain aggregations that the reports app may
reuse.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from aid_distribution.filters import CardLookupFilter, EntitlementFilter, RoundFilter
from aid_distribution.models import (
    Delivery,
    DistributionRound,
    Entitlement,
    Institution,
    InstitutionMembership,
    RoundStatus,
    StockKind,
    StockMovement,
    SupportCase,
    SupportCaseStatus,
    UndeliveredReason,
    UndeliveredVisit,
)
from beneficiaries.choices import Relationship
from beneficiaries.models import Household, Member
from beneficiaries.validators import card_code_display
from core.models import RT


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def months_before(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


# --------------------------------------------------------------------------------------------------------------
# Institutions and rounds
# --------------------------------------------------------------------------------------------------------------


def institutions_for_user(*, user):
    return Institution.objects.visible_to(user).filter(is_active=True).order_by("name")


def round_list_for_user(*, user):
    # Ordered here: Meta.ordering is not applied to a query with aggregates, and the list is paged.
    return (
        DistributionRound.objects.visible_to(user)
        .select_related("institution", "package")
        .annotate(
            entitled=Count("entitlements", distinct=True),
            delivered=Count("entitlements__delivery", distinct=True),
        )
        .order_by("-period", "institution__name", "name", "pk")
    )


def round_filterset(*, user, data) -> RoundFilter:
    """The round list filtered by the page's GET parameters (`filters.RoundFilter`)."""
    return RoundFilter(data, queryset=round_list_for_user(user=user))


def round_get_for_user(*, user, pk: int) -> DistributionRound:
    return get_object_or_404(
        DistributionRound.objects.visible_to(user).select_related("institution", "package", "approved_by"), pk=pk
    )


def open_rounds_for_user(*, user):
    return round_list_for_user(user=user).filter(status__in=[RoundStatus.APPROVED, RoundStatus.DISTRIBUTING])


# --------------------------------------------------------------------------------------------------------------
# Entitled households (the worker's page, the API)
# --------------------------------------------------------------------------------------------------------------


def _head(field: str):
    return Subquery(
        Member.objects.filter(household=OuterRef("household"), relationship=Relationship.HEAD, is_active=True)
        .order_by("pk")
        .values(field)[:1]
    )


def entitlements_for_round(*, user, round_: DistributionRound):
    """Entitled households with head name and NIK (mask it when shown), RT/RW and the delivery if any.

    One query whatever the number of rows (docs/quality.md P1): head fields are subqueries, the delivery a join.
    """
    return (
        Entitlement.objects.visible_to(user)
        .filter(round=round_)
        .select_related("household__rt", "household__kelurahan", "delivery__recorded_by")
        .annotate(head_name=_head("full_name"), head_nik=_head("nik"))
        .order_by("household__kelurahan__name", "household__rt__number", "household__address", "pk")
    )


def entitlement_filterset(*, user, round_: DistributionRound, data) -> EntitlementFilter:
    """The worker's page of a round filtered by its search (`filters.EntitlementFilter`)."""
    return EntitlementFilter(data, queryset=entitlements_for_round(user=user, round_=round_))


def entitlement_get_for_user(*, user, pk: int, round_id: int | None = None) -> Entitlement:
    qs = Entitlement.objects.visible_to(user).select_related("round__institution", "household__rt")
    if round_id is not None:
        qs = qs.filter(round_id=round_id)
    return get_object_or_404(qs, pk=pk)


def entitlement_by_card(*, user, round_: DistributionRound, data) -> Entitlement:
    """The household card, named by its scanned QR (`token`, `Household.card_token`) or its typed short code
    (`code`, `Household.card_code`; `filters.CardLookupFilter`), found only within the worker's visible round.

    Both given, or a typed text that cannot be a code: a ValidationError saying so. A typed code that is not in
    this round: a ValidationError on `code` (it may be mistyped; the message does not say whether it exists
    elsewhere). Neither given, or a scanned token not in this round: 404. A reissued card's old token and code are
    found nowhere (`beneficiaries.services.household_card_reissue`)."""
    filterset = CardLookupFilter(data, queryset=Entitlement.objects.visible_to(user).filter(round=round_))
    if not filterset.is_valid():
        raise ValidationError(filterset.form.errors.as_data())
    if not (filterset.form.cleaned_data.get("token") or filterset.form.cleaned_data.get("code")):
        raise Http404
    entitlement = filterset.qs.first()
    if entitlement is not None:
        return entitlement
    code = filterset.form.cleaned_data.get("code")
    if code:
        unknown = ValidationError(
            _("Kode kartu %(code)s tidak terdaftar pada putaran ini. Periksa kembali kode pada kartu."),
            code="card_code_unknown",
            params={"code": card_code_display(code)},
        )
        raise ValidationError({"code": unknown})
    raise Http404


def entitlements_for_cards(*, user, round_: DistributionRound):
    """The round's active households to print cards for, by kelurahan, RT, then head's name (one query)."""
    return (
        Entitlement.objects.visible_to(user)
        .filter(round=round_, household__is_active=True)
        .select_related("household__rt", "household__kelurahan")
        .annotate(head_name=_head("full_name"), head_nik=_head("nik"))
        .order_by("household__kelurahan__name", "household__rt__number", F("head_name").asc(nulls_last=True), "pk")
    )


def rt_get_for_user(*, user, pk: int) -> RT:
    """An RT of the kelurahan whose registry the user may see; another kelurahan's is a 404."""
    scope = user.kelurahan_scope()
    rts = RT.objects.select_related("kelurahan")
    if scope is not None:
        rts = rts.filter(kelurahan_id__in=scope)
    return get_object_or_404(rts, pk=pk)


def households_for_cards(*, user, rt: RT):
    """An RT's active households in the user's scope, by head's name, to print their cards (one query)."""
    return (
        Household.objects.visible_to(user)
        .filter(rt=rt, is_active=True)
        .select_related("rt", "kelurahan")
        .annotate(head_name=_household_head("full_name"), head_nik=_household_head("nik"))
        .order_by(F("head_name").asc(nulls_last=True), "pk")
    )


def members_of_household(*, household_id: int):
    return Member.objects.filter(household_id=household_id, is_active=True).order_by("relationship", "birth_date")


def delivery_get_for_user(*, user, pk: int) -> Delivery:
    return get_object_or_404(Delivery.objects.visible_to(user).select_related("entitlement"), pk=pk)


def household_for_card(*, user, pk: int) -> Household:
    """Households whose card the user may print: the registry's scope, or entitled in the worker's rounds."""
    visible = Household.objects.visible_to(user)
    entitled = Entitlement.objects.visible_to(user).filter(household_id=OuterRef("pk"))
    qs = Household.objects.filter(Q(pk__in=visible.values("pk")) | Exists(entitled))
    return get_object_or_404(qs.select_related("rt", "kelurahan"), pk=pk)


def head_of_household(*, household_id: int) -> Member | None:
    return members_of_household(household_id=household_id).filter(relationship=Relationship.HEAD).first()


# --------------------------------------------------------------------------------------------------------------
# Stock and reconciliation
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockSummary:
    received: int
    adjusted: int
    delivered: int

    @property
    def available(self) -> int:
        return self.received + self.adjusted

    @property
    def remaining(self) -> int:
        return self.available - self.delivered

    @property
    def is_over_delivered(self) -> bool:
        return self.delivered > self.available


def stock_summary(*, round_: DistributionRound) -> StockSummary:
    """Received and adjusted from movements, delivered counted from Delivery rows (never a stored counter)."""
    totals = StockMovement.objects.filter(round=round_).aggregate(
        received=Coalesce(Sum("quantity", filter=Q(kind=StockKind.RECEIVED)), 0),
        adjusted=Coalesce(Sum("quantity", filter=Q(kind=StockKind.ADJUSTMENT)), 0),
    )
    delivered = Delivery.objects.filter(entitlement__round=round_).count()
    return StockSummary(received=totals["received"], adjusted=totals["adjusted"], delivered=delivered)


def commodity_totals(*, round_: DistributionRound, summary: StockSummary) -> list[dict]:
    rows = []
    for item in round_.package.items.select_related("commodity"):
        rows.append(
            {
                "commodity": item.commodity,
                "per_package": item.quantity,
                "available": item.quantity * summary.available,
                "delivered": item.quantity * summary.delivered,
                "remaining": item.quantity * summary.remaining,
            }
        )
    return rows


def stock_movements_for_round(*, round_: DistributionRound):
    return StockMovement.objects.filter(round=round_).select_related("recorded_by").order_by("moved_on", "pk")


def reconciliation(*, round_: DistributionRound) -> dict:
    """Entitled, delivered and not delivered (with the latest reason) per kelurahan, in two grouped queries."""
    latest_reason = Subquery(
        UndeliveredVisit.objects.filter(entitlement=OuterRef("pk")).order_by("-visited_at", "-pk").values("reason")[:1]
    )
    base = Entitlement.objects.filter(round=round_).annotate(
        is_delivered=Exists(Delivery.objects.filter(entitlement=OuterRef("pk"))), last_reason=latest_reason
    )
    per_kelurahan: dict[str, dict[str, Any]] = {}
    for counted in (
        base.values("household__kelurahan__name")
        .annotate(entitled=Count("pk"), delivered=Count("pk", filter=Q(is_delivered=True)))
        .order_by("household__kelurahan__name")
    ):
        name = counted["household__kelurahan__name"]
        per_kelurahan[name] = {
            "kelurahan": name,
            "entitled": counted["entitled"],
            "delivered": counted["delivered"],
            "not_delivered": counted["entitled"] - counted["delivered"],
            "reasons": {},
        }
    for undelivered in (
        base.filter(is_delivered=False)
        .values("household__kelurahan__name", "last_reason")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        name = undelivered["household__kelurahan__name"]
        per_kelurahan[name]["reasons"][undelivered["last_reason"] or ""] = undelivered["n"]
    reason_labels = [("", "Belum dikunjungi"), *UndeliveredReason.choices]
    rows = list(per_kelurahan.values())
    for row in rows:
        row["reason_counts"] = [row["reasons"].get(code, 0) for code, _label in reason_labels]
    totals = {
        "entitled": sum(r["entitled"] for r in rows),
        "delivered": sum(r["delivered"] for r in rows),
        "not_delivered": sum(r["not_delivered"] for r in rows),
        "reason_counts": [sum(r["reason_counts"][i] for r in rows) for i in range(len(reason_labels))],
    }
    return {"rows": rows, "totals": totals, "reason_labels": [label for _code, label in reason_labels]}


# --------------------------------------------------------------------------------------------------------------
# Targeting (criteria over the registry)
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetCriteria:
    max_desil: int | None = None
    kelurahan_ids: tuple[int, ...] = ()
    rt_number: int | None = None
    rw_number: int | None = None
    has_elderly: bool = False
    has_disabled: bool = False
    has_under_five: bool = False
    exclude_served_elsewhere: bool = True


def households_without_aid_consent(*, household_ids) -> set[int]:
    """Households whose consent for aid delivery is withdrawn (`services.entitlements_add` refuses them)."""
    from beneficiaries.choices import ConsentPurpose
    from beneficiaries.selectors import households_lacking_consent

    return households_lacking_consent(household_ids=household_ids, purpose=ConsentPurpose.AID)


def target_households(*, round_: DistributionRound, criteria: TargetCriteria):
    """Active households matching the criteria, within the kelurahan the institution serves.

    The vulnerability checks (elderly 60+, disability, child under 5) are alternatives: a household qualifies
    when it meets any of those ticked, measured on the first day of the round's month.
    """
    reference = round_.period
    households = Household.objects.filter(is_active=True).exclude(aid_entitlements__round=round_)
    served = list(round_.institution.kelurahan_served.values_list("pk", flat=True))
    if served:
        households = households.filter(kelurahan_id__in=served)
    if criteria.kelurahan_ids:
        households = households.filter(kelurahan_id__in=criteria.kelurahan_ids)
    if criteria.max_desil:
        households = households.filter(desil__lte=criteria.max_desil)
    if criteria.rt_number:
        households = households.filter(rt__number=criteria.rt_number)
    if criteria.rw_number:
        households = households.filter(rt__rw=criteria.rw_number)
    members = Member.objects.filter(household=OuterRef("pk"), is_active=True)
    vulnerable = Q()
    if criteria.has_elderly:
        vulnerable |= Q(Exists(members.filter(birth_date__lte=years_before(reference, 60))))
    if criteria.has_disabled:
        vulnerable |= Q(Exists(members.filter(disability__isnull=False)))
    if criteria.has_under_five:
        vulnerable |= Q(Exists(members.filter(birth_date__gt=years_before(reference, 5))))
    if vulnerable:
        households = households.filter(vulnerable)
    if criteria.exclude_served_elsewhere:
        elsewhere = Entitlement.objects.filter(household=OuterRef("pk"), round__period=round_.period).exclude(
            round__institution=round_.institution
        )
        households = households.exclude(Exists(elsewhere))
    head = Member.objects.filter(household=OuterRef("pk"), relationship=Relationship.HEAD, is_active=True)
    return (
        households.select_related("rt", "kelurahan")
        .annotate(
            head_name=Subquery(head.order_by("pk").values("full_name")[:1]),
            head_nik=Subquery(head.order_by("pk").values("nik")[:1]),
        )
        .order_by("kelurahan__name", "rt__number", "address", "pk")
    )


# --------------------------------------------------------------------------------------------------------------
# Coordination between institutions (Staf Kecamatan; reusable by reports)
# --------------------------------------------------------------------------------------------------------------


def month_start(day: datetime.date | None = None) -> datetime.date:
    day = day or timezone.localdate()
    return day.replace(day=1)


def _scoped_households(user):
    return Household.objects.visible_to(user).filter(is_active=True)


def double_served_households(*, user, period: datetime.date):
    """Households that received sembako from more than one institution in the same month."""
    return (
        _scoped_households(user)
        .filter(aid_entitlements__round__period=period, aid_entitlements__delivery__isnull=False)
        .annotate(
            institution_count=Count("aid_entitlements__round__institution", distinct=True),
            institution_names=ArrayAgg("aid_entitlements__round__institution__name", distinct=True),
            head_name=_household_head("full_name"),
        )
        .filter(institution_count__gt=1)
        .select_related("kelurahan", "rt")
        .order_by("kelurahan__name", "rt__number", "pk")
    )


def _household_head(field: str):
    return Subquery(
        Member.objects.filter(household=OuterRef("pk"), relationship=Relationship.HEAD, is_active=True)
        .order_by("pk")
        .values(field)[:1]
    )


def never_served_households(*, user, period: datetime.date, months: int = 3, max_desil: int = 4):
    """Desil 1–4 households with no delivery in rounds of the last `months` months (this month included)."""
    since = months_before(period, months - 1)
    received = Delivery.objects.filter(
        entitlement__household=OuterRef("pk"),
        entitlement__round__period__gte=since,
        entitlement__round__period__lte=period,
    )
    return (
        _scoped_households(user)
        .filter(desil__gte=1, desil__lte=max_desil)
        .exclude(Exists(received))
        .annotate(head_name=_household_head("full_name"))
        .select_related("kelurahan", "rt")
        .order_by("kelurahan__name", "rt__number", "pk")
    )


def count_by_kelurahan(queryset) -> dict[int, int]:
    rows = queryset.order_by().values("kelurahan_id").annotate(n=Count("pk", distinct=True))
    return {row["kelurahan_id"]: row["n"] for row in rows}


def double_served_by_kelurahan(*, user, period: datetime.date) -> dict[int, int]:
    inner = double_served_households(user=user, period=period).values("pk")
    return count_by_kelurahan(Household.objects.filter(pk__in=inner))


def never_served_by_kelurahan(*, user, period: datetime.date, months: int = 3) -> dict[int, int]:
    return count_by_kelurahan(never_served_households(user=user, period=period, months=months))


# --------------------------------------------------------------------------------------------------------------
# Registrations: home-page counts, household panel
# --------------------------------------------------------------------------------------------------------------


def deliveries_this_month_by_kelurahan(user) -> dict[int, int] | None:
    from accounts.models import Role

    if user.role == Role.PIMPINAN:
        deliveries = Delivery.objects.all()  # aggregated counts only: Pimpinan sees figures, not people
    elif user.has_perm("aid_distribution.view_delivery"):
        deliveries = Delivery.objects.visible_to(user)
    else:
        return None
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = (
        deliveries.filter(delivered_at__gte=start)
        .values("entitlement__household__kelurahan_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["entitlement__household__kelurahan_id"]: row["n"] for row in rows}


def household_aid_panel(viewer, household) -> dict | None:
    """Deliveries the household received (that the viewer may see) and the COUNT of its support cases only."""
    can_deliveries = viewer.has_perm("aid_distribution.view_delivery")
    can_counts = viewer.has_perm("aid_distribution.view_supportcase_counts") or viewer.has_perm(
        "aid_distribution.view_supportcase"
    )
    if not (can_deliveries or can_counts):
        return None
    context: dict[str, Any] = {"deliveries": [], "support_case_count": None}
    if can_deliveries:
        context["deliveries"] = list(
            Delivery.objects.visible_to(viewer)
            .filter(entitlement__household=household)
            .select_related("entitlement__round__institution", "entitlement__round__package")
            .only("delivered_at", "entitlement__round__institution__name", "entitlement__round__package__name")
            .order_by("-delivered_at")[:12]
        )
    if can_counts:
        context["support_case_count"] = SupportCase.objects.filter(member__household=household).count()
    return context


def household_card_panel(viewer, household) -> dict | None:
    """The household page's card panel: the code printed under the QR, print, and (registry staff who may change
    the household) reissue a lost card. No query: the page has loaded the household."""
    if not viewer.has_perm("beneficiaries.view_household"):
        return None
    return {
        "household": household,
        "code": card_code_display(household.card_code),
        "can_reissue": household.is_active and viewer.has_perm("beneficiaries.change_household"),
    }


def rt_cards_action(viewer, filterset) -> dict | None:
    """The registry list's "Cetak kartu RT", once its filters name one RT the viewer may see (the RT number and,
    where the number repeats across the viewer's kelurahan, the kelurahan). One query, only when filtered by RT."""
    if not viewer.has_perm("beneficiaries.view_household") or not filterset.is_valid():
        return None
    data = filterset.form.cleaned_data
    if not data.get("rt"):
        return None
    rts = RT.objects.filter(number=int(data["rt"])).select_related("kelurahan")
    if data.get("kelurahan"):
        rts = rts.filter(kelurahan=data["kelurahan"])
    if data.get("rw"):
        rts = rts.filter(rw=int(data["rw"]))
    scope = viewer.kelurahan_scope()
    if scope is not None:
        rts = rts.filter(kelurahan_id__in=scope)
    found = list(rts.order_by("kelurahan__name", "pk")[:2])
    if not found:
        return None
    if len(found) > 1:
        return {"rt": None}  # the template asks for a kelurahan
    return {"rt": found[0]}


# --------------------------------------------------------------------------------------------------------------
# Psychosocial support
# --------------------------------------------------------------------------------------------------------------


def support_cases_for_user(*, user):
    return SupportCase.objects.visible_to(user).select_related("member", "institution")


def support_case_get_for_user(*, user, pk: int) -> SupportCase:
    return get_object_or_404(SupportCase.objects.visible_to(user).select_related("member", "institution"), pk=pk)


def support_case_counts(*, user) -> list[dict[str, Any]] | None:
    """Counts per institution and status, for Staf Kecamatan and Pimpinan: never names or notes."""
    if not user.has_perm("aid_distribution.view_supportcase_counts"):
        return None
    return [
        dict(row)
        for row in SupportCase.objects.values("institution__name")
        .annotate(
            open=Count("pk", filter=Q(status=SupportCaseStatus.OPEN)),
            referred=Count("pk", filter=Q(status=SupportCaseStatus.REFERRED)),
            closed=Count("pk", filter=Q(status=SupportCaseStatus.CLOSED)),
            total=Count("pk"),
        )
        .order_by("institution__name")
    ]


def counsellor_institutions(*, user):
    return Institution.objects.filter(memberships__user=user, memberships__is_counsellor=True, is_active=True)


def support_candidates(*, user, institution: Institution):
    """Children and young people (under 25) of households the institution serves through its rounds."""
    cutoff = years_before(timezone.localdate(), 25)
    served = Entitlement.objects.filter(round__institution=institution).values("household_id")
    return (
        Member.objects.filter(household_id__in=served, is_active=True, birth_date__gt=cutoff)
        .select_related("household")
        .order_by("full_name")
    )


def colleague_counsellors(*, institution: Institution, exclude_user):
    return (
        InstitutionMembership.objects.filter(institution=institution, is_counsellor=True)
        .exclude(user=exclude_user)
        .select_related("user")
    )
