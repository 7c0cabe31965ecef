"""Deliveries and "tidak tersalurkan" visits: one at a time, or a device's batch.

Double delivery is prevented by the database (Delivery.entitlement is OneToOne, client_uuid is unique), never by
checking first: we insert inside a savepoint and, on IntegrityError, read what won the race (docs/quality.md R1, R2).
"""

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aid_distribution.models import Delivery, Entitlement, RecordKind, RoundStatus, UndeliveredVisit
from aid_distribution.services.institutions import member_institution_ids
from aid_distribution.services.photos import delivery_photo_clean, delivery_photo_name
from core.bulk import insert_ignoring_conflicts
from core.errors import Conflict


def display_name(user) -> str:
    """The name people recognise (the full name), not a login."""
    return user.get_full_name() or user.get_username()


class DeliveryConflict(Conflict):
    """A delivery that cannot be recorded because of another record: `code` says which (API: HTTP 409).

    `delivery` is the record that won (already delivered), shown by the page; the API shows `extra`."""

    def __init__(self, message, *, code: str, delivery: Delivery | None = None):
        extra = {}
        if delivery is not None:
            extra = {
                "delivered_by": display_name(delivery.recorded_by),
                "delivered_at": timezone.localtime(delivery.delivered_at).isoformat(),
            }
        super().__init__(message, code=code, extra=extra)
        self.delivery = delivery


@dataclass(frozen=True)
class DeliveryResult:
    delivery: Delivery
    #: False when this was a replay of a delivery already recorded with the same client_uuid
    created: bool


@dataclass(frozen=True)
class VisitResult:
    visit: UndeliveredVisit
    created: bool


def _already_delivered(existing: Delivery) -> DeliveryConflict:
    when = date_format(timezone.localtime(existing.delivered_at), "j F Y H:i")
    return DeliveryConflict(
        _("Paket sudah diserahkan oleh %(user)s pada %(when)s.") % {"user": existing.recorded_by, "when": when},
        code="already_delivered",
        delivery=existing,
    )


def _uuid_reused() -> DeliveryConflict:
    return DeliveryConflict(
        _("ID perangkat (client_uuid) ini sudah dipakai untuk catatan lain dengan isi berbeda."),
        code="client_uuid_conflict",
    )


def _coordinate(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def same_delivery(existing: Delivery, candidate: Delivery) -> bool:
    """Whether a resubmission carries the same content as the recorded delivery (R2)."""
    fields = ("entitlement_id", "recipient_member_id", "proxy_name", "proxy_relation", "notes", "delivered_at")
    return all(getattr(existing, f) == getattr(candidate, f) for f in fields) and (
        _coordinate(existing.latitude),
        _coordinate(existing.longitude),
    ) == (_coordinate(candidate.latitude), _coordinate(candidate.longitude))


def recipient_not_member() -> ValidationError:
    """The error of a recipient who is no member of the entitled household (the API's batch checks it early)."""
    return ValidationError(
        {"recipient_member": ValidationError(_("Penerima bukan anggota keluarga ini."), code="recipient_not_member")}
    )


def _check_can_deliver(actor, entitlement: Entitlement) -> None:
    round_ = entitlement.round
    if round_.institution_id not in member_institution_ids(actor):
        raise PermissionDenied(_("Hanya petugas lembaga ini yang dapat mencatat penyerahan."))
    if round_.status != RoundStatus.DISTRIBUTING:
        raise ValidationError(
            _("Putaran tidak sedang disalurkan (status: %(status)s).") % {"status": round_.get_status_display()},
            code="round_not_distributing",
        )


def _delivery_build(
    *,
    actor,
    entitlement: Entitlement,
    client_uuid: uuid.UUID,
    delivered_at: datetime.datetime | None = None,
    recipient_member=None,
    proxy_name: str = "",
    proxy_relation: str = "",
    latitude=None,
    longitude=None,
    notes: str = "",
) -> Delivery:
    """The checked, unsaved Delivery: who may record it, who received it, and its fields' own rules."""
    _check_can_deliver(actor, entitlement)
    proxy_name, proxy_relation, notes = proxy_name.strip(), proxy_relation.strip(), notes.strip()
    if recipient_member is not None:
        if recipient_member.household_id != entitlement.household_id:
            raise recipient_not_member()
        proxy_name = proxy_relation = ""
    elif not proxy_name or not proxy_relation:
        raise ValidationError(
            {
                "proxy_name": ValidationError(
                    _("Pilih anggota keluarga penerima, atau isi nama dan hubungan penerima kuasa."),
                    code="recipient_required",
                )
            }
        )
    delivery = Delivery(
        entitlement=entitlement,
        client_uuid=client_uuid,
        delivered_at=delivered_at or timezone.now(),
        recipient_member=recipient_member,
        proxy_name=proxy_name,
        proxy_relation=proxy_relation,
        latitude=_coordinate(latitude),
        longitude=_coordinate(longitude),
        notes=notes,
        recorded_by=actor,
    )
    # Field validation only: uniqueness is the database's job (a pre-check would race, docs/quality.md R1), and the
    # related rows are already loaded, so their existence queries are skipped (a batch of 500 would pay 1,500).
    delivery.full_clean(
        exclude=["entitlement", "recorded_by", "recipient_member"], validate_unique=False, validate_constraints=False
    )
    return delivery


@transaction.atomic
def delivery_record(*, actor, entitlement: Entitlement, client_uuid: uuid.UUID, photo=None, **fields) -> DeliveryResult:
    """Records the handover; a replay of the same client_uuid returns the first record (created=False).

    `fields` are those of `_delivery_build`: delivered_at, recipient_member, proxy_name, proxy_relation, latitude,
    longitude, notes."""
    delivery = _delivery_build(actor=actor, entitlement=entitlement, client_uuid=client_uuid, **fields)
    if photo:
        photo = delivery_photo_clean(photo)  # the service checks too: not every caller is the portal's form
    try:
        with transaction.atomic():
            delivery.save(force_insert=True)
    except IntegrityError:
        # Building the refused Delivery cached it on the caller's entitlement as if it existed: forget it.
        entitlement._state.fields_cache.pop("delivery", None)
        existing = Delivery.objects.select_related("recorded_by").filter(client_uuid=client_uuid).first()
        if existing is not None:
            if same_delivery(existing, delivery):
                return DeliveryResult(existing, created=False)
            raise _uuid_reused()
        existing = Delivery.objects.select_related("recorded_by").filter(entitlement_id=entitlement.pk).first()
        if existing is not None:
            raise _already_delivered(existing)
        raise
    if UndeliveredVisit.objects.filter(client_uuid=client_uuid).exists():
        # The same device id was used for a "tidak tersalurkan" record: refuse, leave the first one as it was.
        raise _uuid_reused()
    if photo is not None:
        # Saved after the row exists, so that a refused submission leaves no orphan file behind.
        delivery.photo.save(delivery_photo_name(delivery), photo, save=False)
        delivery.save(update_fields=["photo"])
    return DeliveryResult(delivery, created=True)


@transaction.atomic
def undelivered_record(
    *,
    actor,
    entitlement: Entitlement,
    client_uuid: uuid.UUID,
    reason: str,
    visited_at: datetime.datetime | None = None,
    notes: str = "",
) -> VisitResult:
    """Records a visit without handover ("tidak tersalurkan"); refused once the household has its package."""
    _check_can_deliver(actor, entitlement)
    visit = UndeliveredVisit(
        entitlement=entitlement,
        client_uuid=client_uuid,
        reason=reason,
        visited_at=visited_at or timezone.now(),
        notes=notes.strip(),
        recorded_by=actor,
    )
    visit.full_clean(exclude=["entitlement", "recorded_by"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            visit.save(force_insert=True)
    except IntegrityError:
        existing = UndeliveredVisit.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        same = (existing.entitlement_id, existing.reason, existing.notes, existing.visited_at) == (
            visit.entitlement_id,
            visit.reason,
            visit.notes,
            visit.visited_at,
        )
        if same:
            return VisitResult(existing, created=False)
        raise _uuid_reused()
    if Delivery.objects.filter(client_uuid=client_uuid).exists():
        raise _uuid_reused()
    delivered = Delivery.objects.select_related("recorded_by").filter(entitlement_id=entitlement.pk).first()
    if delivered is not None:
        raise _already_delivered(delivered)
    return VisitResult(visit, created=True)


def record_item(*, actor, kind: str = RecordKind.DELIVERED, **fields):
    """One item of a worker's device: `delivery_record(**fields)`, or `undelivered_record(**fields)` for a
    "tidak tersalurkan" visit (`kind="undelivered"`)."""
    record = undelivered_record if kind == RecordKind.UNDELIVERED else delivery_record
    return record(actor=actor, **fields)


@transaction.atomic
def batch_record(*, actor, items: list[dict]) -> list:
    """A device's batch (`record_item` arguments per item): one result per item, in order, each a DeliveryResult
    or VisitResult, or the exception that item's `record_item` raised.

    The outcome is the one of recording the items one after the other. A delivery whose client_uuid and
    entitlement no other item names, and whose client_uuid is no "tidak tersalurkan" visit, cannot change the
    outcome of another item: those go in together with one `INSERT … ON CONFLICT DO NOTHING`. Every other item,
    and every delivery the database turned away (already delivered, uuid already used), then takes
    `record_item` in the batch's order, which tells a replay from a conflict."""
    results: list = [None] * len(items)
    keys = Counter(key for item in items for key in (item["client_uuid"], item["entitlement"].pk))
    alone = [
        index
        for index, item in enumerate(items)
        if item.get("kind", RecordKind.DELIVERED) != RecordKind.UNDELIVERED
        and keys[item["client_uuid"]] == keys[item["entitlement"].pk] == 1
    ]
    visits = set(
        UndeliveredVisit.objects.filter(client_uuid__in=[items[index]["client_uuid"] for index in alone])
        .order_by()
        .values_list("client_uuid", flat=True)
    )
    at_once: dict[int, Delivery] = {}
    for index in alone:
        fields = {key: value for key, value in items[index].items() if key != "kind"}
        if fields["client_uuid"] in visits:
            continue
        try:
            at_once[index] = _delivery_build(actor=actor, **fields)
        except (PermissionDenied, ValidationError) as exc:
            results[index] = exc
    try:
        # In entitlement order, so that two batches touching the same households lock them in the same order.
        with transaction.atomic():
            inserted = insert_ignoring_conflicts(sorted(at_once.values(), key=lambda d: d.entitlement_id))
    except IntegrityError:
        inserted = {}  # a row refused by a check or a vanished member: every item is then recorded on its own
    for index, delivery in at_once.items():
        if delivery.client_uuid in inserted:
            results[index] = DeliveryResult(delivery, created=True)
    for index, item in enumerate(items):
        if results[index] is None:
            try:
                results[index] = record_item(actor=actor, **item)
            except (PermissionDenied, ValidationError) as exc:
                results[index] = exc
    return results
