"""Reads of the registry, always through `visible_to(user)` (docs/architecture.md §6 rule 4)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from beneficiaries.filters import HouseholdFilter, name_match
from beneficiaries.models import DuplicateFlag, Household, HouseholdFlag, ImportBatch, Member
from beneficiaries.validators import normalise_number
from core import history

PAGE_SIZE = 25
SEARCH_LIMIT = 50


def household_filterset(*, user, data) -> HouseholdFilter:
    return HouseholdFilter(data, queryset=Household.objects.visible_to(user), user=user)


def household_list(*, user, filters: dict):
    """The filtered, scoped households (unordered; callers page it with `keyset_page`)."""
    filterset = household_filterset(user=user, data=filters)
    if not filterset.is_valid():
        return Household.objects.none()
    return filterset.qs


# What a list row shows, and nothing more: a household has ~50 columns, and building 50 full instances and
# prefetching ~200 members cost more than the page's queries (docs/quality.md P2). The head's name and the member
# count come from two correlated subqueries on the (household, relationship) index.
LIST_COLUMNS = ("kk_number", "kelurahan__name", "rt__number", "rt__rw", "address", "house_number", "desil", "is_active")


def _list_row_annotations() -> dict:
    active = Member.objects.filter(household=OuterRef("pk"), is_active=True)
    return {
        "head_name": Subquery(active.order_by("relationship", "birth_date", "pk").values("full_name")[:1]),
        "member_count": Coalesce(
            Subquery(active.order_by().values("household").annotate(n=Count("pk")).values("n")), 0
        ),
    }


@dataclass
class KeysetPage:
    """One page of a list ordered by id, newest first; cursors are ids, so any page costs the same at 1M rows."""

    items: list
    next_after: int | None = None
    prev_before: int | None = None
    is_first: bool = True
    is_last: bool = True
    extra: dict = field(default_factory=dict)


def keyset_page(
    queryset, *, after: int | None = None, before: int | None = None, last: bool = False, size: int = PAGE_SIZE
) -> KeysetPage:
    """`after`: the page following id `after`; `before`: the page preceding id `before`; `last`: the last page."""
    queryset = queryset.select_related("kelurahan", "rt").only(*LIST_COLUMNS).annotate(**_list_row_annotations())
    if before is not None or last:
        window = queryset.filter(pk__gt=before) if before is not None else queryset
        rows = list(window.order_by("pk")[: size + 1])
        has_more_newer = len(rows) > size
        items = list(reversed(rows[:size]))
        is_first = not has_more_newer
        is_last = last or not items
        if before is not None and not last:
            is_last = False
    else:
        window = queryset.filter(pk__lt=after) if after is not None else queryset
        rows = list(window.order_by("-pk")[: size + 1])
        items = rows[:size]
        is_first = after is None
        is_last = len(rows) <= size
    return KeysetPage(
        items=items,
        next_after=items[-1].pk if items and not is_last else None,
        prev_before=items[0].pk if items and not is_first else None,
        is_first=is_first,
        is_last=is_last,
    )


EXACT_COUNT_LIMIT = 1000


@dataclass
class RowCount:
    value: int
    is_exact: bool


def estimated_count(queryset) -> RowCount:
    """Never COUNT(*) over a million rows (P3): the planner's estimate, made exact by a bounded count
    (at most EXACT_COUNT_LIMIT rows read) when the estimate says the result is small."""
    plan = json.loads(queryset.order_by().explain(format="json"))
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    if estimate > EXACT_COUNT_LIMIT:
        return RowCount(estimate, False)
    exact = queryset.order_by()[: EXACT_COUNT_LIMIT + 1].count()
    if exact > EXACT_COUNT_LIMIT:
        return RowCount(max(estimate, exact), False)
    return RowCount(exact, True)


def household_get_for_user(*, user, pk) -> Household:
    """404 for "not yours" and "missing" alike."""
    try:
        return Household.objects.visible_to(user).select_related("kelurahan", "rt", "created_by").get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError):
        raise Http404


def household_members(*, household: Household) -> list[Member]:
    return list(household.members.order_by("-is_active", "relationship", "birth_date", "pk"))


def household_consents(*, household: Household) -> list:
    return list(household.consents.select_related("member").order_by("-consented_on", "-pk"))


def member_subject_consents(*, member: Member) -> list:
    """The consent records about one person (data-subject copy): the member's own and those given for the whole
    household (no member), oldest first; never another member's own consent."""
    from beneficiaries.models import Consent

    return list(
        Consent.objects.filter(household_id=member.household_id)
        .filter(Q(member=member) | Q(member__isnull=True))
        .order_by("consented_on", "pk")
    )


def _latest_consent_withdrawn_on(purpose: str):
    """The `withdrawn_on` of the household's latest consent record for the purpose (by consented_on, then pk):
    NULL when that record stands or when there is none."""
    from beneficiaries.models import Consent

    latest = Consent.objects.filter(household=OuterRef("pk"), purpose=purpose).order_by("-consented_on", "-pk")
    return Subquery(latest.values("withdrawn_on")[:1])


def households_excluding_withdrawn(queryset, *, purpose: str):
    """`queryset` without the households whose latest consent record for `purpose` is withdrawn (the same rule
    as `households_lacking_consent`, as a filter for lists and exports that must not read ids into Python)."""
    return queryset.alias(_consent_withdrawn_on=_latest_consent_withdrawn_on(purpose)).filter(
        _consent_withdrawn_on__isnull=True
    )


def households_withdrawn(queryset, *, purpose: str):
    """The households of `queryset` that `households_excluding_withdrawn` leaves out."""
    return queryset.alias(_consent_withdrawn_on=_latest_consent_withdrawn_on(purpose)).filter(
        _consent_withdrawn_on__isnull=False
    )


def consent_get_for_user(*, user, pk):
    from beneficiaries.models import Consent

    consent = Consent.objects.select_related("household").filter(pk=pk).first()
    if consent is None or not Household.objects.visible_to(user).filter(pk=consent.household_id).exists():
        raise Http404
    return consent


def member_get_for_user(*, user, pk) -> Member:
    try:
        return Member.objects.visible_to(user).select_related("household", "household__kelurahan").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404


def member_nik_lookup(*, user, nik: str) -> Member | None:
    """Exact NIK lookup among active members the user may see (uses the partial unique index)."""
    nik = normalise_number(nik)
    if len(nik) != 16 or not nik.isdigit():
        return None
    return Member.objects.visible_to(user).active().select_related("household").filter(nik=nik).first()


def household_kk_lookup(*, user, kk_number: str) -> Household | None:
    kk = normalise_number(kk_number)
    if len(kk) != 16 or not kk.isdigit():
        return None
    return Household.objects.visible_to(user).filter(kk_number=kk).order_by("-is_active", "-pk").first()


NAME_CANDIDATES = 1000
#: What a search result shows (templates/jinja2/beneficiaries/_search_results.html): 50 rows of these columns,
#: not 50 members with their households, kelurahan and RT loaded to be thrown away.
RESULT_COLUMNS = ("pk", "household_id", "full_name", "nik", "birth_date", "relationship")


def member_name_search(*, user, name: str, limit: int = SEARCH_LIMIT) -> list[Member]:
    """Fuzzy name search with pg_trgm, best first: every word typed must be similar to a word of the name.

    Matching each word (not the whole string) keeps a search for "Budi Saputra" from ranking every Budi and
    every Saputra (131,270 rows and 1.8 s at a million households; 2,564 rows and 0.14 s this way). The best
    matches are ranked among the first NAME_CANDIDATES, so one common first name alone stays fast too; the
    page then asks for a fuller name."""
    name = name.strip()
    if len(name) < 3:
        return []
    candidates = name_match(Member.objects.visible_to(user).active(), name).values("pk")[:NAME_CANDIDATES]
    return list(
        Member.objects.filter(pk__in=candidates)
        .annotate(similarity=TrigramWordSimilarity(name, "full_name"))
        .only(*RESULT_COLUMNS)
        .order_by("-similarity", "pk")[:limit]
    )


EVENT_LABELS = {"insert": _("dibuat"), "update": _("diubah"), "delete": _("dihapus")}
OPERATION_LABELS = {
    "household_register": _("pendaftaran keluarga"),
    "household_update": _("perubahan data keluarga"),
    "household_deactivate": _("penonaktifan keluarga"),
    "member_add": _("penambahan anggota"),
    "member_update": _("perubahan data anggota"),
    "member_deactivate": _("penonaktifan anggota"),
    "member_move": _("pindah KK"),
    "consent_record": _("pencatatan persetujuan"),
    "consent_withdraw": _("penarikan persetujuan"),
    "duplicate_merge": _("penggabungan data ganda"),
    "import_households": _("impor data"),
    "seed_demo": _("data demo"),
}


def operation_label(raw: str) -> str:
    key, _sep, rest = (raw or "").partition(":")
    label = OPERATION_LABELS.get(key)
    if label is None:
        return raw
    return f"{label}: {rest}" if rest and not rest.isdigit() else str(label)


@dataclass
class HistoryRow:
    created_at: object
    label: str
    model: str
    object_id: int
    fields: list[str]
    user: object
    operation: str


@functools.cache
def _field_names(language: str) -> dict[str, dict[str, str]]:
    """The fields' labels in one language, per model (translating ~90 labels on every page view costs ~0.5 ms)."""
    with translation.override(language):
        return {
            "beneficiaries.household": {f.name: str(f.verbose_name) for f in Household._meta.fields},
            "beneficiaries.member": {f.name: str(f.verbose_name) for f in Member._meta.fields},
        }


def household_history(*, household: Household, members: list[Member], limit: int = 40) -> list[HistoryRow]:
    """Events of the household and its members, newest first, naming changed fields (never their values)."""
    from pghistory.models import Events

    events = list(history.events_for(household)[:limit])
    if members:
        events += list(Events.objects.tracks(*members).order_by("-pgh_created_at")[:limit])
    events.sort(key=lambda e: e.pgh_created_at, reverse=True)
    events = events[:limit]
    user_ids = {uid for e in events if (uid := (e.pgh_context or {}).get("user")) is not None}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids)} if user_ids else {}
    verbose = _field_names(get_language())
    rows = []
    for event in events:
        model = (event.pgh_obj_model or "").lower()
        names = verbose.get(model, {})
        diff = event.pgh_diff or {}
        changed = [names.get(key, key) for key in diff if key not in ("updated_at", "created_at")]
        context = event.pgh_context or {}
        user_id = context.get("user")
        rows.append(
            HistoryRow(
                created_at=event.pgh_created_at,
                label=str(EVENT_LABELS.get(event.pgh_label, event.pgh_label)),
                model="member" if model.endswith("member") else "household",
                object_id=int(event.pgh_obj_id),
                fields=changed,
                user=users.get(user_id) if user_id is not None else None,
                operation=operation_label(context.get("operation") or context.get("command") or ""),
            )
        )
    return rows


def duplicate_queue(*, user):
    return (
        DuplicateFlag.objects.visible_to(user)
        .open()
        .select_related("member__household__kelurahan", "other__household__kelurahan")
        .order_by("-score", "pk")
    )


def duplicate_get_for_user(*, user, pk) -> DuplicateFlag:
    flag = (
        DuplicateFlag.objects.visible_to(user)
        .select_related("member__household", "other__household")
        .filter(pk=pk)
        .first()
    )
    # Both members must be visible: a merge touches both.
    if flag is None or not Member.objects.visible_to(user).filter(pk=flag.other_id).exists():
        raise Http404
    return flag


def household_flag_queue(*, user):
    """Open data-quality flags (a household without exactly one head), oldest first, in the user's scope."""
    return (
        HouseholdFlag.objects.visible_to(user)
        .open()
        .select_related("household__kelurahan", "household__rt")
        .order_by("created_at", "pk")
    )


def household_flag_get_for_user(*, user, pk) -> HouseholdFlag:
    flag = HouseholdFlag.objects.visible_to(user).select_related("household").filter(pk=pk).first()
    if flag is None:
        raise Http404
    return flag


def import_batches(*, user):
    return ImportBatch.objects.visible_to(user).select_related("uploaded_by")


def import_batch_get_for_user(*, user, pk) -> ImportBatch:
    try:
        return ImportBatch.objects.visible_to(user).get(pk=pk)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404


def import_rows_rejected(batch: ImportBatch):
    return batch.rows.filter(is_accepted=False).order_by("row_number")


def import_rows_accepted(batch: ImportBatch):
    return batch.rows.filter(is_accepted=True).order_by("row_number")


def kelurahan_counts(*, user, model) -> dict | None:
    """{kelurahan_id: n} of active rows the user may see, one grouped query; None without view permission."""
    if not user.has_perm("beneficiaries.view_household"):
        return None
    if model is Household:
        qs = Household.objects.visible_to(user).active().values("kelurahan_id")
        key = "kelurahan_id"
    else:
        qs = Member.objects.visible_to(user).active().values("household__kelurahan_id")
        key = "household__kelurahan_id"
    return {row[key]: row["n"] for row in qs.annotate(n=Count("id"))}


def households_lacking_consent(*, household_ids, purpose) -> set[int]:
    """The households among `household_ids` whose consent for `purpose` is withdrawn: their latest consent record
    for the purpose (by consented_on, then pk) has withdrawn_on. A household with no record for the purpose is
    not lacking (its processing rests on another basis of the privacy notice); a later active record restores it.
    """
    from beneficiaries.models import Consent

    latest = (
        Consent.objects.filter(household_id__in=list(household_ids), purpose=purpose)
        .order_by("household_id", "-consented_on", "-pk")
        .distinct("household_id")
        .values_list("household_id", "withdrawn_on")
    )
    return {household_id for household_id, withdrawn_on in latest if withdrawn_on is not None}
