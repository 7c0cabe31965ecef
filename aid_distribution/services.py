"""Writes with business rules: round lifecycle, entitlements, deliveries, stock, psychosocial support.

Double delivery is prevented by the database (Delivery.entitlement is OneToOne, client_uuid is unique), never by
checking first: we insert inside a savepoint and, on IntegrityError, read what won the race (quality.md R1, R2).
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

from accounts.models import Role
from aid_distribution.models import (
    EDITABLE_STATUSES,
    Delivery,
    DistributionRound,
    Entitlement,
    Institution,
    InstitutionMembership,
    RoundStatus,
    StockKind,
    StockMovement,
    SupportCase,
    SupportSession,
    UndeliveredVisit,
)
from core.bulk import insert_ignoring_conflicts

MAX_SUPPORT_AGE = 24
ADULT_AGE = 18


class DeliveryConflict(ValidationError):
    """A delivery that cannot be recorded because of another record: `code` says which (API: HTTP 409)."""

    def __init__(self, message, *, code: str, delivery: Delivery | None = None):
        super().__init__(message, code=code)
        self.delivery = delivery


# --------------------------------------------------------------------------------------------------------------
# Who may act for an institution
# --------------------------------------------------------------------------------------------------------------


def member_institution_ids(user) -> set[int]:
    """Institutions the user works for; cached on the user object (a batch of 500 asks 500 times)."""
    if not hasattr(user, "_aid_institution_ids"):
        user._aid_institution_ids = set(
            InstitutionMembership.objects.filter(user=user).values_list("institution_id", flat=True)
        )
    return user._aid_institution_ids


def _is_district_staff(user) -> bool:
    return user.is_admin_role or user.role == Role.STAF_KECAMATAN


def _require_institution_actor(user, institution_id: int) -> None:
    if institution_id in member_institution_ids(user) or user.is_admin_role:
        return
    raise PermissionDenied(_("Anda bukan petugas lembaga ini."))


def _require_round_manager(user, round_: DistributionRound) -> None:
    """Institution workers manage their own rounds; Staf Kecamatan and Admin may too."""
    if round_.institution_id in member_institution_ids(user) or _is_district_staff(user):
        return
    raise PermissionDenied(_("Anda tidak berwenang mengelola putaran ini."))


# --------------------------------------------------------------------------------------------------------------
# Rounds and entitlements
# --------------------------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, user, institution: Institution, name: str, period: datetime.date, package) -> DistributionRound:
    _require_institution_actor(user, institution.pk)
    if not institution.is_active:
        raise ValidationError(_("Lembaga tidak aktif."), code="institution_inactive")
    round_ = DistributionRound(
        institution=institution, name=name, period=period.replace(day=1), package=package, created_by=user
    )
    round_.full_clean()
    round_.save()
    return round_


def _locked_round(round_id: int) -> DistributionRound:
    # Row lock: a status change and an entitlement change on the same round serialise here.
    return DistributionRound.objects.select_for_update().get(pk=round_id)


@transaction.atomic
def entitlements_add(*, user, round_: DistributionRound, household_ids) -> int:
    """Adds households to a round that is not approved yet; households already in it are skipped."""
    round_ = _locked_round(round_.pk)
    _require_round_manager(user, round_)
    if round_.status not in EDITABLE_STATUSES:
        raise ValidationError(_("Penerima hanya dapat diubah sebelum putaran disetujui."), code="round_locked")
    from beneficiaries.models import Household

    households = Household.objects.filter(pk__in=list(household_ids), is_active=True)
    served = list(round_.institution.kelurahan_served.values_list("pk", flat=True))
    if served:
        households = households.filter(kelurahan_id__in=served)
    ids = list(households.values_list("pk", flat=True))
    existing = set(
        Entitlement.objects.filter(round=round_, household_id__in=ids).values_list("household_id", flat=True)
    )
    new = [Entitlement(round=round_, household_id=pk, added_by=user) for pk in ids if pk not in existing]
    Entitlement.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def entitlement_remove(*, user, entitlement: Entitlement) -> None:
    round_ = _locked_round(entitlement.round_id)
    _require_round_manager(user, round_)
    if round_.status not in EDITABLE_STATUSES:
        raise ValidationError(_("Penerima hanya dapat diubah sebelum putaran disetujui."), code="round_locked")
    entitlement.delete()


TRANSITIONS = {
    # action: (from, to)
    "submit": (RoundStatus.DRAFT, RoundStatus.SUBMITTED),
    "return": (RoundStatus.SUBMITTED, RoundStatus.DRAFT),
    "approve": (RoundStatus.SUBMITTED, RoundStatus.APPROVED),
    "start": (RoundStatus.APPROVED, RoundStatus.DISTRIBUTING),
    "close": (RoundStatus.DISTRIBUTING, RoundStatus.CLOSED),
}


def can_approve(user, round_: DistributionRound) -> bool:
    """Only Staf Kecamatan (or Admin) approve, and never someone working for the round's institution."""
    return (
        user.has_perm("aid_distribution.approve_distributionround")
        and user.role != Role.PETUGAS_LEMBAGA
        and round_.institution_id not in member_institution_ids(user)
    )


def allowed_actions(user, round_: DistributionRound) -> list[str]:
    actions = []
    for action, (source, _target) in TRANSITIONS.items():
        if round_.status != source:
            continue
        if action in ("approve", "return"):
            if can_approve(user, round_):
                actions.append(action)
        elif round_.institution_id in member_institution_ids(user) or _is_district_staff(user):
            actions.append(action)
    return actions


@transaction.atomic
def round_transition(*, user, round_: DistributionRound, action: str) -> DistributionRound:
    if action not in TRANSITIONS:
        raise ValidationError(_("Tindakan tidak dikenal."), code="unknown_action")
    round_ = _locked_round(round_.pk)
    source, target = TRANSITIONS[action]
    if round_.status != source:
        raise ValidationError(
            _("Putaran berstatus %(status)s; tindakan ini tidak dapat dilakukan.")
            % {"status": round_.get_status_display()},
            code="bad_status",
        )
    if action in ("approve", "return"):
        if not can_approve(user, round_):
            raise PermissionDenied(_("Hanya Staf Kecamatan di luar lembaga ini yang dapat menyetujui putaran."))
    else:
        _require_round_manager(user, round_)
    now = timezone.now()
    fields = ["status", "updated_at"]
    if action == "submit":
        if not round_.entitlements.exists():
            raise ValidationError(_("Tambahkan penerima sebelum mengajukan putaran."), code="no_entitlements")
        round_.submitted_at = now
        fields.append("submitted_at")
    elif action == "approve":
        round_.approved_by, round_.approved_at = user, now
        fields += ["approved_by", "approved_at"]
    elif action == "close":
        round_.closed_at = now
        fields.append("closed_at")
    round_.status = target
    round_.full_clean()
    round_.save(update_fields=fields)
    return round_


# --------------------------------------------------------------------------------------------------------------
# Deliveries
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryResult:
    delivery: Delivery
    #: False when this was a replay of a delivery already recorded with the same client_uuid
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


def _check_can_deliver(user, entitlement: Entitlement) -> None:
    round_ = entitlement.round
    if round_.institution_id not in member_institution_ids(user):
        raise PermissionDenied(_("Hanya petugas lembaga ini yang dapat mencatat penyerahan."))
    if round_.status != RoundStatus.DISTRIBUTING:
        raise ValidationError(
            _("Putaran tidak sedang disalurkan (status: %(status)s).") % {"status": round_.get_status_display()},
            code="round_not_distributing",
        )


def _delivery_build(
    *,
    user,
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
    _check_can_deliver(user, entitlement)
    proxy_name, proxy_relation, notes = proxy_name.strip(), proxy_relation.strip(), notes.strip()
    if recipient_member is not None:
        if recipient_member.household_id != entitlement.household_id:
            raise ValidationError(
                {
                    "recipient_member": ValidationError(
                        _("Penerima bukan anggota keluarga ini."), code="recipient_not_member"
                    )
                }
            )
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
        recorded_by=user,
    )
    # Field validation only: uniqueness is the database's job (a pre-check would race, quality.md R1), and the
    # related rows are already loaded, so their existence queries are skipped (a batch of 500 would pay 1,500).
    delivery.full_clean(
        exclude=["entitlement", "recorded_by", "recipient_member"], validate_unique=False, validate_constraints=False
    )
    return delivery


@transaction.atomic
def delivery_record(*, user, entitlement: Entitlement, client_uuid: uuid.UUID, photo=None, **fields) -> DeliveryResult:
    """Records the handover; a replay of the same client_uuid returns the first record (created=False).

    `fields` are those of `_delivery_build`: delivered_at, recipient_member, proxy_name, proxy_relation, latitude,
    longitude, notes."""
    delivery = _delivery_build(user=user, entitlement=entitlement, client_uuid=client_uuid, **fields)
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


def record_item(*, user, kind: str = "delivered", **fields):
    """One item of a worker's device: `delivery_record(**fields)`, or `undelivered_record(**fields)` for a
    "tidak tersalurkan" visit (`kind="undelivered"`)."""
    record = undelivered_record if kind == "undelivered" else delivery_record
    return record(user=user, **fields)


@transaction.atomic
def batch_record(*, user, items: list[dict]) -> list:
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
        if item.get("kind", "delivered") != "undelivered"
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
            at_once[index] = _delivery_build(user=user, **fields)
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
                results[index] = record_item(user=user, **item)
            except (PermissionDenied, ValidationError) as exc:
                results[index] = exc
    return results


def delivery_photo_name(delivery: Delivery) -> str:
    return f"{delivery.client_uuid}.jpg"


def delivery_photo_clean(photo):
    """The same photo check as the portal's form (`photos.photo_check`); errors keyed on `photo`."""
    from aid_distribution.photos import photo_check

    if not photo:
        raise ValidationError({"photo": ValidationError(_("Pilih foto bukti."), code="required")})
    try:
        return photo_check(photo)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.error_list})


@dataclass(frozen=True)
class PhotoResult:
    delivery: Delivery
    #: False when the delivery already had its photo (a resend): nothing was changed
    created: bool


@transaction.atomic
def delivery_attach_photo(*, user, delivery: Delivery, photo) -> PhotoResult:
    """Adds the proof photo sent after the delivery itself (offline app); the first photo is kept.

    The row is locked, so two concurrent uploads for one delivery store exactly one file.
    """
    delivery = Delivery.objects.select_for_update().select_related("entitlement__round").get(pk=delivery.pk)
    if delivery.entitlement.round.institution_id not in member_institution_ids(user):
        raise PermissionDenied(_("Hanya petugas lembaga ini yang dapat mengunggah foto penyerahan."))
    if delivery.photo:
        return PhotoResult(delivery, created=False)
    photo = delivery_photo_clean(photo)
    delivery.photo.save(delivery_photo_name(delivery), photo, save=False)
    delivery.save(update_fields=["photo"])
    return PhotoResult(delivery, created=True)


@dataclass(frozen=True)
class VisitResult:
    visit: UndeliveredVisit
    created: bool


@transaction.atomic
def undelivered_record(
    *,
    user,
    entitlement: Entitlement,
    client_uuid: uuid.UUID,
    reason: str,
    visited_at: datetime.datetime | None = None,
    notes: str = "",
) -> VisitResult:
    """Records a visit without handover ("tidak tersalurkan"); refused once the household has its package."""
    _check_can_deliver(user, entitlement)
    visit = UndeliveredVisit(
        entitlement=entitlement,
        client_uuid=client_uuid,
        reason=reason,
        visited_at=visited_at or timezone.now(),
        notes=notes.strip(),
        recorded_by=user,
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


# --------------------------------------------------------------------------------------------------------------
# Stock
# --------------------------------------------------------------------------------------------------------------


@transaction.atomic
def stock_movement_record(
    *, user, round_: DistributionRound, kind: str, quantity: int, reason: str = "", moved_on: datetime.date
) -> StockMovement:
    round_ = _locked_round(round_.pk)
    _require_round_manager(user, round_)
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError(_("Putaran sudah ditutup; stok tidak dapat diubah."), code="round_closed")
    if kind == StockKind.RECEIVED and quantity <= 0:
        raise ValidationError(
            {"quantity": ValidationError(_("Jumlah paket diterima harus lebih dari nol."), code="bad_quantity")}
        )
    if kind == StockKind.ADJUSTMENT and (quantity == 0 or not reason.strip()):
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Penyesuaian stok wajib memiliki jumlah bukan nol dan alasan."), code="adjustment_reason"
                )
            }
        )
    movement = StockMovement(
        round=round_, kind=kind, quantity=quantity, reason=reason.strip(), moved_on=moved_on, recorded_by=user
    )
    movement.full_clean()
    movement.save()
    return movement


# --------------------------------------------------------------------------------------------------------------
# Psychosocial support
# --------------------------------------------------------------------------------------------------------------


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def counsellor_membership(user, institution_id: int) -> InstitutionMembership:
    membership = InstitutionMembership.objects.filter(
        user=user, institution_id=institution_id, is_counsellor=True
    ).first()
    if membership is None:
        raise PermissionDenied(_("Hanya konselor lembaga ini yang dapat membuka kasus dukungan."))
    return membership


@transaction.atomic
def support_case_open(
    *,
    user,
    institution: Institution,
    member,
    opened_on: datetime.date,
    guardian_name: str,
    guardian_relation: str,
    consent_on: datetime.date,
    reason_over_18: str = "",
    other_counsellors=(),
) -> SupportCase:
    membership = counsellor_membership(user, institution.pk)
    age = age_on(member.birth_date, opened_on)
    if age > MAX_SUPPORT_AGE:
        raise ValidationError(
            {"member": ValidationError(_("Dukungan psikososial hanya untuk usia sampai 24 tahun."), code="too_old")}
        )
    if age >= ADULT_AGE and not reason_over_18.strip():
        raise ValidationError(
            {
                "reason_over_18": ValidationError(
                    _("Usia 18 tahun atau lebih: tuliskan alasan pendampingan."), code="reason_required"
                )
            }
        )
    if not guardian_name.strip() or not guardian_relation.strip():
        raise ValidationError(
            {
                "guardian_name": ValidationError(
                    _("Nama dan hubungan wali yang menyetujui wajib diisi (UU PDP Pasal 25)."), code="guardian_required"
                )
            }
        )
    if consent_on > opened_on:
        raise ValidationError(
            {
                "consent_on": ValidationError(
                    _("Persetujuan wali harus ada sebelum kasus dibuka."), code="consent_after_opening"
                )
            }
        )
    case = SupportCase(
        institution=institution,
        member=member,
        opened_on=opened_on,
        guardian_name=guardian_name.strip(),
        guardian_relation=guardian_relation.strip(),
        consent_on=consent_on,
        reason_over_18=reason_over_18.strip(),
        opened_by=user,
    )
    case.full_clean()
    case.save()
    others = [m for m in other_counsellors if m.institution_id == institution.pk and m.is_counsellor]
    case.counsellors.set([membership, *others])
    return case


@transaction.atomic
def support_session_add(*, user, case: SupportCase, held_on: datetime.date, kind: str, notes: str) -> SupportSession:
    if not SupportCase.objects.visible_to(user).filter(pk=case.pk).exists():
        raise PermissionDenied(_("Hanya konselor yang ditugaskan yang dapat mencatat sesi."))
    session = SupportSession(case=case, held_on=held_on, kind=kind, notes=notes, recorded_by=user)
    session.full_clean()
    session.save()
    return session


def support_case_log_view(*, case: SupportCase, user, ip_address: str | None):
    """An access event in the one security audit log (UU PDP, children's data): user, case, time, IP; never notes."""
    from core.audit import audit_event
    from core.models import AuditAction

    return audit_event(action=AuditAction.SUPPORT_CASE_OPEN, actor=user, obj=case, ip_address=ip_address or None)
