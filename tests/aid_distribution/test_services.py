"""Services: round lifecycle guards, delivery idempotency, stock arithmetic, psychosocial support rules."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from aid_distribution import selectors, services
from aid_distribution.models import (
    Delivery,
    Entitlement,
    RoundStatus,
    StockKind,
    UndeliveredReason,
)
from beneficiaries import choices
from core.models import AuditEvent
from tests.factories.accounts import UserFactory
from tests.factories.aid_distribution import AidPackageFactory, DistributionRoundFactory, entitled_household, worker_of
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _deliver(user, entitlement, **overrides):
    kwargs = {
        "actor": user,
        "entitlement": entitlement,
        "client_uuid": uuid.uuid4(),
        "delivered_at": timezone.now().replace(microsecond=0),
        "proxy_name": "Bu Rina",
        "proxy_relation": "tetangga",
    }
    kwargs.update(overrides)
    return services.delivery_record(**kwargs)


# --- round lifecycle -----------------------------------------------------------------------------------------


def test_round_lifecycle_draft_to_closed(institution_a, worker_a, user_kecamatan):
    round_ = services.round_create(
        actor=worker_a,
        institution=institution_a,
        name="Sembako Agustus",
        period=datetime.date(2026, 8, 17),
        package=AidPackageFactory(),
    )
    assert round_.period == datetime.date(2026, 8, 1)
    household = HouseholdFactory()
    assert services.entitlements_add(actor=worker_a, round_=round_, household_ids=[household.pk]) == 1
    assert services.entitlements_add(actor=worker_a, round_=round_, household_ids=[household.pk]) == 0
    services.round_transition(actor=worker_a, round_=round_, action="submit")
    services.round_transition(actor=user_kecamatan, round_=round_, action="approve")
    round_.refresh_from_db()
    assert (round_.status, round_.approved_by) == (RoundStatus.APPROVED, user_kecamatan)
    services.round_transition(actor=worker_a, round_=round_, action="start")
    services.round_transition(actor=worker_a, round_=round_, action="close")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED
    assert round_.closed_at is not None


def test_round_institution_cannot_approve_its_own_round(institution_a, worker_a):
    round_ = DistributionRoundFactory(institution=institution_a, status=RoundStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.round_transition(actor=worker_a, round_=round_, action="approve")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SUBMITTED
    assert "approve" not in services.allowed_actions(actor=worker_a, round_=round_)


def test_round_kecamatan_member_of_institution_cannot_approve(institution_a, user_kecamatan):
    round_ = DistributionRoundFactory(institution=institution_a, status=RoundStatus.SUBMITTED)
    from aid_distribution.models import InstitutionMembership

    InstitutionMembership.objects.create(user=user_kecamatan, institution=institution_a)
    with pytest.raises(PermissionDenied):
        services.round_transition(actor=user_kecamatan, round_=round_, action="approve")


def test_round_cannot_skip_states(institution_a, worker_a, user_kecamatan):
    round_ = DistributionRoundFactory(institution=institution_a, status=RoundStatus.DRAFT)
    entitled_household(round_)
    with pytest.raises(ValidationError) as err:
        services.round_transition(actor=user_kecamatan, round_=round_, action="approve")
    assert err.value.code == "bad_status"
    with pytest.raises(ValidationError):
        services.round_transition(actor=worker_a, round_=round_, action="close")


def test_round_submit_needs_entitlements(institution_a, worker_a):
    round_ = DistributionRoundFactory(institution=institution_a)
    with pytest.raises(ValidationError) as err:
        services.round_transition(actor=worker_a, round_=round_, action="submit")
    assert err.value.code == "no_entitlements"


def test_round_other_institution_cannot_manage(institution_a, worker_b):
    round_ = DistributionRoundFactory(institution=institution_a)
    with pytest.raises(PermissionDenied):
        services.entitlements_add(actor=worker_b, round_=round_, household_ids=[HouseholdFactory().pk])
    with pytest.raises(PermissionDenied):
        services.round_create(
            actor=worker_b,
            institution=institution_a,
            name="x",
            period=datetime.date(2026, 1, 1),
            package=round_.package,
        )


def test_entitlements_locked_after_approval(institution_a, worker_a):
    round_ = DistributionRoundFactory(institution=institution_a, status=RoundStatus.APPROVED)
    entitlement = entitled_household(round_)
    with pytest.raises(ValidationError) as err:
        services.entitlements_add(actor=worker_a, round_=round_, household_ids=[HouseholdFactory().pk])
    assert err.value.code == "round_locked"
    with pytest.raises(ValidationError):
        services.entitlement_remove(actor=worker_a, entitlement=entitlement)
    assert Entitlement.objects.filter(round=round_).count() == 1


def test_entitlements_only_in_served_kelurahan(institution_a, worker_a, keramasan, kemang_agung):
    institution_a.kelurahan_served.set([keramasan])
    round_ = DistributionRoundFactory(institution=institution_a)
    inside, outside = HouseholdFactory(kelurahan=keramasan), HouseholdFactory(kelurahan=kemang_agung)
    assert services.entitlements_add(actor=worker_a, round_=round_, household_ids=[inside.pk, outside.pk]) == 1


def test_round_changes_are_audited(institution_a, worker_a, user_kecamatan):
    from core import history

    round_ = DistributionRoundFactory(institution=institution_a, status=RoundStatus.SUBMITTED)
    with history.acting_as(user_kecamatan):
        services.round_transition(actor=user_kecamatan, round_=round_, action="approve")
    events = list(history.events_for(round_))
    assert any(e.pgh_data["status"] == "approved" for e in events)


# --- targeting -----------------------------------------------------------------------------------------------


def test_target_households_criteria(institution_a, institution_b):
    round_ = DistributionRoundFactory(institution=institution_a, period=datetime.date(2026, 8, 1))
    poor_elderly = HouseholdFactory(desil=1)
    MemberFactory(household=poor_elderly, birth_date=datetime.date(1950, 1, 1))
    poor_young = HouseholdFactory(desil=2)
    MemberFactory(household=poor_young, birth_date=datetime.date(1990, 1, 1))
    toddler = HouseholdFactory(desil=3)
    MemberFactory(household=toddler, birth_date=datetime.date(2024, 5, 1), relationship=choices.Relationship.CHILD)
    rich_elderly = HouseholdFactory(desil=9)
    MemberFactory(household=rich_elderly, birth_date=datetime.date(1950, 1, 1))
    served_elsewhere = HouseholdFactory(desil=1)
    MemberFactory(household=served_elsewhere, birth_date=datetime.date(1940, 1, 1))
    other = DistributionRoundFactory(institution=institution_b, period=datetime.date(2026, 8, 1))
    Entitlement.objects.create(round=other, household=served_elsewhere)

    def ids(**criteria):
        found = selectors.target_households(round_=round_, criteria=selectors.TargetCriteria(**criteria))
        return set(found.values_list("pk", flat=True))

    assert ids(max_desil=4, has_elderly=True) == {poor_elderly.pk}
    assert ids(max_desil=4, has_elderly=True, exclude_served_elsewhere=False) == {poor_elderly.pk, served_elsewhere.pk}
    assert ids(max_desil=4, has_elderly=True, has_under_five=True) == {poor_elderly.pk, toddler.pk}
    assert ids(max_desil=2) == {poor_elderly.pk, poor_young.pk}


# --- deliveries ----------------------------------------------------------------------------------------------


def test_delivery_replay_returns_first_record(round_a, worker_a):
    entitlement = round_a.entitlements.first()
    first = _deliver(worker_a, entitlement)
    again = _deliver(
        worker_a, entitlement, client_uuid=first.delivery.client_uuid, delivered_at=first.delivery.delivered_at
    )
    assert first.created
    assert not again.created
    assert again.delivery.pk == first.delivery.pk
    assert Delivery.objects.count() == 1


def test_delivery_same_uuid_different_content_refused(round_a, worker_a):
    entitlement = round_a.entitlements.first()
    first = _deliver(worker_a, entitlement, notes="pagi")
    with pytest.raises(services.DeliveryConflict) as err:
        _deliver(
            worker_a,
            entitlement,
            client_uuid=first.delivery.client_uuid,
            delivered_at=first.delivery.delivered_at,
            notes="sore",
        )
    assert err.value.code == "client_uuid_conflict"
    first.delivery.refresh_from_db()
    assert first.delivery.notes == "pagi"
    # The same uuid on another household is a conflict too, and creates nothing.
    other = round_a.entitlements.exclude(pk=entitlement.pk).first()
    with pytest.raises(services.DeliveryConflict):
        _deliver(worker_a, other, client_uuid=first.delivery.client_uuid)
    assert Delivery.objects.count() == 1


def test_delivery_second_for_same_household_refused_with_who_and_when(round_a, worker_a):
    entitlement = round_a.entitlements.first()
    colleague = worker_of(round_a.institution, username="petugas.a2")
    _deliver(worker_a, entitlement)
    with pytest.raises(services.DeliveryConflict) as err:
        _deliver(colleague, entitlement)
    assert err.value.code == "already_delivered"
    assert "sudah diserahkan oleh" in err.value.messages[0]
    assert str(worker_a) in err.value.messages[0]
    assert err.value.delivery.recorded_by == worker_a


def test_delivery_requires_distributing_round_and_membership(institution_a, worker_a, worker_b, user_kecamatan):
    round_ = DistributionRoundFactory(institution=institution_a, status=RoundStatus.APPROVED)
    entitlement = entitled_household(round_)
    with pytest.raises(ValidationError) as err:
        _deliver(worker_a, entitlement)
    assert err.value.code == "round_not_distributing"
    round_.status = RoundStatus.DISTRIBUTING
    round_.save()
    for outsider in (worker_b, user_kecamatan):
        with pytest.raises(PermissionDenied):
            _deliver(outsider, entitlement)
    assert not Delivery.objects.exists()


def test_delivery_recipient_must_be_household_member(round_a, worker_a):
    entitlement = round_a.entitlements.first()
    stranger = MemberFactory()
    with pytest.raises(ValidationError) as err:
        _deliver(worker_a, entitlement, recipient_member=stranger, proxy_name="", proxy_relation="")
    assert err.value.error_dict["recipient_member"][0].code == "recipient_not_member"
    head = entitlement.household.members.first()
    result = _deliver(worker_a, entitlement, recipient_member=head, proxy_name="", proxy_relation="")
    assert result.delivery.recipient_member == head


def test_delivery_needs_a_recipient(round_a, worker_a):
    with pytest.raises(ValidationError) as err:
        _deliver(worker_a, round_a.entitlements.first(), proxy_name="", proxy_relation="")
    assert err.value.error_dict["proxy_name"][0].code == "recipient_required"


def test_undelivered_visit_then_delivery(round_a, worker_a):
    entitlement = round_a.entitlements.first()
    visit = services.undelivered_record(
        actor=worker_a, entitlement=entitlement, client_uuid=uuid.uuid4(), reason=UndeliveredReason.NOT_HOME
    )
    assert visit.created
    _deliver(worker_a, entitlement)
    with pytest.raises(services.DeliveryConflict) as err:
        services.undelivered_record(
            actor=worker_a, entitlement=entitlement, client_uuid=uuid.uuid4(), reason=UndeliveredReason.MOVED
        )
    assert err.value.code == "already_delivered"


def test_uuid_of_a_visit_cannot_be_reused_for_a_delivery(round_a, worker_a):
    entitlement = round_a.entitlements.first()
    shared = uuid.uuid4()
    services.undelivered_record(actor=worker_a, entitlement=entitlement, client_uuid=shared, reason="refused")
    with pytest.raises(services.DeliveryConflict):
        _deliver(worker_a, entitlement, client_uuid=shared)
    assert not Delivery.objects.exists()


# --- stock ---------------------------------------------------------------------------------------------------


def test_stock_arithmetic_and_over_delivery_flag(round_a, worker_a):
    today = timezone.localdate()
    services.stock_movement_record(actor=worker_a, round_=round_a, kind=StockKind.RECEIVED, quantity=3, moved_on=today)
    services.stock_movement_record(
        actor=worker_a, round_=round_a, kind=StockKind.ADJUSTMENT, quantity=-1, reason="Rusak", moved_on=today
    )
    for entitlement in round_a.entitlements.all()[:2]:
        _deliver(worker_a, entitlement)
    summary = selectors.stock_summary(round_=round_a)
    assert (summary.received, summary.adjusted, summary.delivered, summary.remaining) == (3, -1, 2, 0)
    assert not summary.is_over_delivered
    _deliver(worker_a, round_a.entitlements.all()[2])
    summary = selectors.stock_summary(round_=round_a)
    assert summary.remaining == -1
    assert summary.is_over_delivered
    beras = next(
        c for c in selectors.commodity_totals(round_=round_a, summary=summary) if c["commodity"].name == "Beras"
    )
    assert beras["delivered"] == 15


def test_stock_adjustment_needs_reason(round_a, worker_a):
    with pytest.raises(ValidationError):
        services.stock_movement_record(
            actor=worker_a, round_=round_a, kind=StockKind.ADJUSTMENT, quantity=-2, moved_on=timezone.localdate()
        )
    with pytest.raises(ValidationError):
        services.stock_movement_record(
            actor=worker_a, round_=round_a, kind=StockKind.RECEIVED, quantity=0, moved_on=timezone.localdate()
        )


def test_reconciliation_by_kelurahan_with_reasons(round_a, worker_a):
    first, second, third = round_a.entitlements.all()
    _deliver(worker_a, first)
    services.undelivered_record(actor=worker_a, entitlement=second, client_uuid=uuid.uuid4(), reason="moved")
    recon = selectors.reconciliation(round_=round_a)
    assert recon["totals"]["entitled"] == 3
    assert recon["totals"]["delivered"] == 1
    assert recon["totals"]["not_delivered"] == 2
    labels = recon["reason_labels"]
    counts = dict(zip(labels, recon["totals"]["reason_counts"], strict=True))
    assert counts["Pindah"] == 1
    assert counts["Belum dikunjungi"] == 1


# --- coordination --------------------------------------------------------------------------------------------


def test_coordination_double_and_never_served(institution_a, institution_b, worker_a, worker_b, user_kecamatan):
    period = timezone.localdate().replace(day=1)
    round_a = DistributionRoundFactory(institution=institution_a, status=RoundStatus.DISTRIBUTING, period=period)
    round_b = DistributionRoundFactory(institution=institution_b, status=RoundStatus.DISTRIBUTING, period=period)
    both = entitled_household(round_a, desil=1)
    Entitlement.objects.create(round=round_b, household=both.household)
    _deliver(worker_a, both)
    _deliver(worker_b, round_b.entitlements.get(household=both.household))
    never = HouseholdFactory(desil=2)
    HouseholdFactory(desil=7)  # not poor enough to count
    double = list(selectors.double_served_households(user=user_kecamatan, period=period))
    assert [h.pk for h in double] == [both.household.pk]
    assert sorted(double[0].institution_names) == ["LKS Alpha", "Yayasan Beta"]
    never_ids = set(selectors.never_served_households(user=user_kecamatan, period=period).values_list("pk", flat=True))
    assert never.pk in never_ids
    assert both.household.pk not in never_ids
    assert selectors.double_served_by_kelurahan(user=user_kecamatan, period=period) == {both.household.kelurahan_id: 1}


# --- psychosocial support ------------------------------------------------------------------------------------


def _child(years_old: int):
    today = timezone.localdate()
    return MemberFactory(
        birth_date=today.replace(year=today.year - years_old) - datetime.timedelta(days=10),
        relationship=choices.Relationship.CHILD,
    )


def _open(user, institution, member, **overrides):
    today = timezone.localdate()
    kwargs = {
        "actor": user,
        "institution": institution,
        "member": member,
        "opened_on": today,
        "guardian_name": "Siti",
        "guardian_relation": "Ibu",
        "consent_on": today,
    }
    kwargs.update(overrides)
    return services.support_case_open(**kwargs)


def test_support_case_rules(institution_a, worker_a):
    counsellor = worker_of(institution_a, username="konselor.a", counsellor=True)
    with pytest.raises(PermissionDenied):
        _open(worker_a, institution_a, _child(10))  # a member but not a counsellor
    case = _open(counsellor, institution_a, _child(10))
    assert list(case.counsellors.values_list("user", flat=True)) == [counsellor.pk]
    with pytest.raises(ValidationError) as err:
        _open(counsellor, institution_a, _child(20))
    assert "reason_over_18" in err.value.error_dict
    assert _open(counsellor, institution_a, _child(20), reason_over_18="Putus sekolah, pendampingan lanjutan")
    with pytest.raises(ValidationError):
        _open(counsellor, institution_a, _child(25), reason_over_18="x")
    with pytest.raises(ValidationError):
        _open(counsellor, institution_a, _child(10), guardian_name=" ")
    with pytest.raises(ValidationError):
        _open(counsellor, institution_a, _child(10), consent_on=timezone.localdate() + datetime.timedelta(days=1))


def test_support_case_visible_only_to_assigned_counsellors(institution_a, institution_b, user_admin, user_kecamatan):
    counsellor = worker_of(institution_a, username="konselor.a", counsellor=True)
    colleague = worker_of(institution_a, username="konselor.a2", counsellor=True)
    outsider = worker_of(institution_b, username="konselor.b", counsellor=True)
    case = _open(counsellor, institution_a, _child(12))
    assert selectors.support_case_get_for_user(user=counsellor, pk=case.pk) == case
    for user in (colleague, outsider, user_admin, user_kecamatan):
        assert not selectors.support_cases_for_user(user=user).exists()
    with pytest.raises(PermissionDenied):
        services.support_session_add(
            actor=colleague, case=case, held_on=timezone.localdate(), kind="konseling", notes="x"
        )
    counts = selectors.support_case_counts(user=user_kecamatan)
    assert counts == [{"institution__name": "LKS Alpha", "open": 1, "referred": 0, "closed": 0, "total": 1}]
    assert selectors.support_case_counts(user=UserFactory(role=Role.PETUGAS_LEMBAGA)) is None
    event = services.support_case_log_view(case=case, actor=counsellor, ip="10.0.0.5")
    assert AuditEvent.objects.get(pk=event.pk).ip_address == "10.0.0.5"
    assert (event.action, event.object_type, event.object_id) == (
        "support_case_open",
        "aid_distribution.SupportCase",
        str(case.pk),
    )


def test_round_update_changes_editable_fields_before_approval_only(institution_a, institution_b, worker_a, worker_b):
    round_ = DistributionRoundFactory(institution=institution_a, name="Lama")
    updated = services.round_update(
        actor=worker_a, round_=round_, data={"name": "Baru", "period": datetime.date(2026, 9, 17)}
    )
    assert (updated.name, updated.period) == ("Baru", datetime.date(2026, 9, 1))
    with pytest.raises(PermissionDenied):
        services.round_update(actor=worker_b, round_=round_, data={"name": "Orang lain"})
    with pytest.raises(PermissionDenied):  # moving it to an institution the worker does not work for
        services.round_update(actor=worker_a, round_=round_, data={"institution": institution_b})
    round_.refresh_from_db()
    assert round_.name == "Baru"
    approved = DistributionRoundFactory(institution=institution_a, status=RoundStatus.APPROVED, name="Disetujui")
    with pytest.raises(ValidationError) as err:
        services.round_update(actor=worker_a, round_=approved, data={"name": "Terlambat"})
    assert err.value.code == "round_locked"
    approved.refresh_from_db()
    assert approved.name == "Disetujui"


def test_support_case_log_view_refuses_who_is_not_an_assigned_counsellor(institution_a):
    counsellor = worker_of(institution_a, username="konselor.a", counsellor=True)
    colleague = worker_of(institution_a, username="konselor.a2", counsellor=True)
    case = _open(counsellor, institution_a, _child(12))
    with pytest.raises(PermissionDenied):
        services.support_case_log_view(actor=colleague, case=case, ip="10.0.0.6")
    assert not AuditEvent.objects.filter(object_id=str(case.pk)).exists()
