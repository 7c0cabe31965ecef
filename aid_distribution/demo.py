"""Demo data for aid distribution (idempotent; runs after the registry's demo households exist).

Two institutions, one worker each (the demo user `lembaga` works for the first, as a counsellor), a standard
sembako package, a closed round with deliveries (its berita acara can be printed), a distributing round, a draft
round, stock movements and one psychosocial support case.
"""

import datetime
import uuid

from django.utils import timezone

from accounts.models import Role, User
from aid_distribution import services
from aid_distribution.models import (
    AidPackage,
    Commodity,
    DistributionRound,
    Institution,
    InstitutionKind,
    InstitutionMembership,
    PackageItem,
    RoundAction,
    RoundStatus,
    StockKind,
    SupportCase,
    UndeliveredReason,
)
from aid_distribution.selectors import months_before, years_before
from beneficiaries.choices import Relationship
from beneficiaries.models import Household, Member
from core.models import Kelurahan

DEMO_NAMESPACE = uuid.UUID("6f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f")

COMMODITIES = [
    ("Beras", "kg", 5),
    ("Minyak goreng", "liter", 2),
    ("Gula pasir", "kg", 1),
    ("Telur ayam", "butir", 10),
    ("Mi instan", "bungkus", 5),
]

INSTITUTIONS = [
    {
        "name": "LKS Peduli Kertapati",
        "kind": InstitutionKind.LKS,
        "registration_number": "LKS/1671/2024/017",
        "address": "Jl. Ki Merogan No. 12, Kertapati",
        "contact_name": "Dewi Lestari",
        "worker": "lembaga",
    },
    {
        "name": "Yayasan Al-Ikhlas Keramasan",
        "kind": InstitutionKind.RELIGIOUS,
        "registration_number": "YYS/1671/2023/044",
        "address": "Jl. Abikusno Cokrosuyoso, Keramasan",
        "contact_name": "Hasan Basri",
        "worker": "lembaga2",
    },
]


def _worker(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        from accounts import services as account_services
        from accounts.demo import DEMO_PASSWORD

        user = account_services.user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            role=Role.PETUGAS_LEMBAGA,
            first_name="Hasan",
            last_name="Basri",
        )
    return user


def _demo_uuid(*parts) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, "-".join(str(p) for p in parts))


def seed(*, log) -> None:
    package, _created = AidPackage.objects.get_or_create(
        name="Paket Sembako Standar", defaults={"estimated_value": 200_000}
    )
    for name, unit, quantity in COMMODITIES:
        commodity, _c = Commodity.objects.get_or_create(name=name, defaults={"unit": unit})
        PackageItem.objects.get_or_create(package=package, commodity=commodity, defaults={"quantity": quantity})

    institutions = []
    for index, spec in enumerate(INSTITUTIONS):
        institution, _c = Institution.objects.get_or_create(
            name=spec["name"],
            defaults={k: spec[k] for k in ("kind", "registration_number", "address", "contact_name")},
        )
        if _c:
            institution.kelurahan_served.set(Kelurahan.objects.all())
        worker = _worker(spec["worker"])
        InstitutionMembership.objects.get_or_create(
            user=worker, institution=institution, defaults={"is_counsellor": index == 0}
        )
        institutions.append((institution, worker))
    log(f"Lembaga: {len(institutions)}, paket: {package.name}")

    households = list(Household.objects.filter(is_active=True).order_by("pk")[:50])
    if not households:
        log("Bantuan lembaga: belum ada keluarga di registri, putaran demo tidak dibuat")
        return
    approver = User.objects.filter(role=Role.STAF_KECAMATAN).order_by("pk").first()
    this_month = timezone.localdate().replace(day=1)
    last_month = months_before(this_month, 1)
    (first, first_worker), (second, second_worker) = institutions

    closed = _round(first, first_worker, approver, "Sembako bulan lalu", last_month, package, households[:20])
    if closed is not None:
        _stock(closed, first_worker, 20, last_month)
        _advance(closed, first_worker, approver, RoundStatus.DISTRIBUTING)
        _deliver(closed, first_worker, delivered=16, not_home=2)
        _advance(closed, first_worker, approver, RoundStatus.CLOSED)
    current = _round(first, first_worker, approver, "Sembako bulan ini", this_month, package, households[20:40])
    if current is not None:
        _stock(current, first_worker, 20, this_month)
        _advance(current, first_worker, approver, RoundStatus.DISTRIBUTING)
        _deliver(current, first_worker, delivered=5, not_home=0)
    _round(second, second_worker, approver, "Sembako Ramadan", this_month, package, households[40:50])

    _support_case(first, first_worker, households[:40])


def _round(institution, worker, approver, name, period, package, households):
    """Creates the round once (None when it already exists, so the rest is skipped on a re-run)."""
    if DistributionRound.objects.filter(institution=institution, name=name, period=period).exists():
        return None
    round_ = services.round_create(actor=worker, institution=institution, name=name, period=period, package=package)
    services.entitlements_add(actor=worker, round_=round_, household_ids=[h.pk for h in households])
    return round_


def _advance(round_, worker, approver, target):
    steps = [
        (RoundAction.SUBMIT, worker, RoundStatus.SUBMITTED),
        (RoundAction.APPROVE, approver, RoundStatus.APPROVED),
        (RoundAction.START, worker, RoundStatus.DISTRIBUTING),
        (RoundAction.CLOSE, worker, RoundStatus.CLOSED),
    ]
    order = [RoundStatus.DRAFT] + [reached for _a, _u, reached in steps]
    for action, actor, reached in steps:
        round_.refresh_from_db()
        if order.index(round_.status) >= order.index(reached) or order.index(reached) > order.index(target):
            continue
        if actor is None:
            return
        services.round_transition(actor=actor, round_=round_, action=action)


def _stock(round_, worker, quantity, day):
    services.stock_movement_record(
        actor=worker,
        round_=round_,
        kind=StockKind.RECEIVED,
        quantity=quantity,
        reason="Dari gudang lembaga",
        moved_on=day,
    )


def _deliver(round_, worker, *, delivered: int, not_home: int):
    entitlements = list(round_.entitlements.select_related("round").order_by("pk"))
    base = timezone.make_aware(datetime.datetime.combine(round_.period + datetime.timedelta(days=4), datetime.time(9)))
    for index, entitlement in enumerate(entitlements[:delivered]):
        head = Member.objects.filter(household_id=entitlement.household_id, relationship=Relationship.HEAD).first()
        services.delivery_record(
            actor=worker,
            entitlement=entitlement,
            client_uuid=_demo_uuid("delivery", entitlement.pk),
            delivered_at=base + datetime.timedelta(minutes=12 * index),
            recipient_member=head,
            proxy_name="" if head else "Tetangga",
            proxy_relation="" if head else "tetangga",
        )
    for entitlement in entitlements[delivered : delivered + not_home]:
        services.undelivered_record(
            actor=worker,
            entitlement=entitlement,
            client_uuid=_demo_uuid("visit", entitlement.pk),
            reason=UndeliveredReason.NOT_HOME,
            visited_at=base,
        )


def _support_case(institution, counsellor, households):
    if SupportCase.objects.filter(institution=institution).exists():
        return
    today = timezone.localdate()
    child = (
        Member.objects.filter(household__in=households, is_active=True, birth_date__gt=years_before(today, 17))
        .order_by("pk")
        .first()
    )
    if child is None:
        return
    services.support_case_open(
        actor=counsellor,
        institution=institution,
        member=child,
        opened_on=today,
        guardian_name="Siti Aminah",
        guardian_relation="Ibu kandung",
        consent_on=today,
    )
