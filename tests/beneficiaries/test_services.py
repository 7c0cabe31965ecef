import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pghistory.models import Events

from beneficiaries import choices, services
from beneficiaries.models import Consent, DuplicateFlag, Household, Member
from beneficiaries.services import merging
from tests.beneficiaries.conftest import household_data, member_data
from tests.factories.beneficiaries import MemberFactory, make_nik

pytestmark = pytest.mark.django_db


def test_household_register_creates_household_and_members_in_one_go(user_kelurahan, rt_keramasan):
    household = services.household_register(
        actor=user_kelurahan,
        household_data=household_data(rt_keramasan),
        members=[
            member_data(1),
            member_data(2, female=True, relationship=choices.Relationship.WIFE, birth=datetime.date(1992, 1, 2)),
        ],
    )
    assert household.kelurahan == rt_keramasan.kelurahan
    assert household.created_by == user_kelurahan
    assert household.members.count() == 2
    event = Events.objects.tracks(household).get()
    assert event.pgh_context["user"] == user_kelurahan.pk
    assert event.pgh_context["operation"] == "household_register"


def test_household_register_is_atomic_when_a_member_is_invalid(user_kelurahan, rt_keramasan):
    bad = member_data(2, relationship=choices.Relationship.CHILD)
    bad["nik"] = "1671130000000001"
    with pytest.raises(ValidationError) as info:
        services.household_register(
            actor=user_kelurahan, household_data=household_data(rt_keramasan), members=[member_data(1), bad]
        )
    assert "NIK" in " ".join(info.value.messages)
    assert not Household.objects.exists()
    assert not Member.objects.exists()


def test_household_register_refuses_existing_nik_with_link_only_when_visible(
    user_kelurahan, user_kelurahan_other, rt_keramasan, rt_kemang, household_keramasan
):
    taken = household_keramasan.members.first().nik
    with pytest.raises(ValidationError) as info:
        services.household_register(
            actor=user_kelurahan,
            household_data=household_data(rt_keramasan),
            members=[member_data(1, nik=taken)],
        )
    error = info.value.error_list[0]
    assert error.code == "nik_exists"
    assert error.params["url"].endswith(f"/keluarga/{household_keramasan.pk}/")
    assert taken not in error.message % error.params  # masked in the message
    with pytest.raises(ValidationError) as info:
        services.household_register(
            actor=user_kelurahan_other, household_data=household_data(rt_kemang), members=[member_data(1, nik=taken)]
        )
    assert info.value.error_list[0].params["url"] == ""


def test_household_register_refuses_duplicate_nik_inside_the_form(user_kelurahan, rt_keramasan):
    first = member_data(1)
    second = member_data(2, relationship=choices.Relationship.CHILD, nik=first["nik"])
    with pytest.raises(ValidationError) as info:
        services.household_register(
            actor=user_kelurahan, household_data=household_data(rt_keramasan), members=[first, second]
        )
    assert info.value.error_list[0].code == "nik_duplicate_in_form"


def test_household_register_outside_scope_is_refused(user_kelurahan, rt_kemang):
    with pytest.raises(ValidationError) as info:
        services.household_register(
            actor=user_kelurahan, household_data=household_data(rt_kemang), members=[member_data(1)]
        )
    assert "wilayah tugas" in " ".join(info.value.messages)


def test_nik_crosscheck_warning_needs_confirmation(user_kelurahan, rt_keramasan):
    member = member_data(1)
    member["birth_date"] = datetime.date(1991, 5, 17)  # NIK encodes 1990
    with pytest.raises(ValidationError) as info:
        services.household_register(actor=user_kelurahan, household_data=household_data(rt_keramasan), members=[member])
    assert services.is_unconfirmed_warning(info.value)
    assert "Tanggal lahir di NIK" in info.value.messages[0]
    household = services.household_register(
        actor=user_kelurahan, household_data=household_data(rt_keramasan), members=[member], warnings_confirmed=True
    )
    assert household.members.get().birth_date == datetime.date(1991, 5, 17)


def test_two_heads_are_refused(user_kelurahan, rt_keramasan):
    with pytest.raises(ValidationError) as info:
        services.household_register(
            actor=user_kelurahan, household_data=household_data(rt_keramasan), members=[member_data(1), member_data(2)]
        )
    assert info.value.error_list[0].code == "two_heads"


def test_household_update_changes_only_changed_fields_and_checks_kk(
    user_kelurahan, household_keramasan, household_kemang
):
    services.household_update(
        actor=user_kelurahan, household=household_keramasan, data={"desil": 7, "address": household_keramasan.address}
    )
    household_keramasan.refresh_from_db()
    assert household_keramasan.desil == 7
    with pytest.raises(ValidationError) as info:
        services.household_update(
            actor=user_kelurahan, household=household_keramasan, data={"kk_number": household_kemang.kk_number}
        )
    assert info.value.error_dict["kk_number"][0].code == "kk_exists"


def test_member_update_refuses_other_members_nik(user_kelurahan, household_keramasan):
    head, wife = household_keramasan.members.order_by("relationship")
    with pytest.raises(ValidationError):
        services.member_update(actor=user_kelurahan, member=wife, data={"nik": head.nik})


def test_member_add_and_deactivate(user_kelurahan, household_keramasan):
    child = services.member_add(
        actor=user_kelurahan,
        household=household_keramasan,
        data=member_data(9, relationship=choices.Relationship.CHILD, birth=datetime.date(2012, 3, 4)),
    )
    services.member_deactivate(
        actor=user_kelurahan, member=child, reason=choices.RemovalReason.MOVED_OUT, note="pindah"
    )
    child.refresh_from_db()
    assert not child.is_active and child.removed_reason == choices.RemovalReason.MOVED_OUT


def test_household_deactivate_needs_reason_and_deactivates_members(user_kelurahan, household_keramasan):
    with pytest.raises(ValidationError):
        services.household_deactivate(actor=user_kelurahan, household=household_keramasan, reason=99)
    services.household_deactivate(
        actor=user_kelurahan, household=household_keramasan, reason=choices.RemovalReason.DECEASED
    )
    assert not household_keramasan.members.filter(is_active=True).exists()
    assert Household.objects.get(pk=household_keramasan.pk).is_active is False


def test_member_move_to_new_household_is_one_audited_operation(user_kelurahan, household_keramasan, rt_keramasan):
    wife = household_keramasan.members.get(relationship=choices.Relationship.WIFE)
    services.member_move(
        actor=user_kelurahan,
        member=wife,
        new_household_data={"kk_number": "1671130505200007", "rt": rt_keramasan, "address": "Jl. Baru"},
        relationship=choices.Relationship.HEAD,
        note="pecah KK",
    )
    wife.refresh_from_db()
    assert wife.household.kk_number == "1671130505200007"
    assert wife.relationship == choices.Relationship.HEAD
    event = Events.objects.tracks(wife).filter(pgh_label="update").get()
    assert event.pgh_context["operation"].startswith("member_move")


def test_member_move_to_existing_household_refuses_second_head(user_kecamatan, household_keramasan, household_kemang):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    wife = household_keramasan.members.get(relationship=choices.Relationship.WIFE)  # head of the family left behind
    with pytest.raises(ValidationError) as error:
        services.member_move(
            actor=user_kecamatan,
            member=head,
            to_household=household_kemang,
            relationship=choices.Relationship.HEAD,
            new_head=wife,
        )
    assert "keluarga tujuan sudah memiliki Kepala Keluarga" in str(error.value)
    services.member_move(
        actor=user_kecamatan,
        member=head,
        to_household=household_kemang,
        relationship=choices.Relationship.OTHER_RELATIVE,
        new_head=wife,
    )
    assert head.household_id == household_kemang.pk


def test_member_move_out_of_scope_refused(user_kelurahan, household_keramasan, household_kemang):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    with pytest.raises(ValidationError):
        services.member_move(
            actor=user_kelurahan, member=head, to_household=household_kemang, relationship=choices.Relationship.OTHER
        )


def test_consent_record_and_withdraw(user_kelurahan, household_keramasan):
    consent = services.consent_record(
        actor=user_kelurahan,
        household=household_keramasan,
        consenter_name="Budi Santoso",
        purpose=Consent._meta.get_field("purpose").choices[0][0],
        notice_version="v1",
        consented_on=datetime.date(2026, 1, 5),
    )
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=user_kelurahan, consent=consent, withdrawn_on=datetime.date(2025, 1, 1))
    services.consent_withdraw(actor=user_kelurahan, consent=consent, withdrawn_on=datetime.date(2026, 2, 1))
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=user_kelurahan, consent=consent, withdrawn_on=datetime.date(2026, 3, 1))


def test_user_without_sensitive_permission_cannot_write_disability(user_kelurahan, rt_keramasan, user_lembaga):
    household = services.household_register(
        actor=user_kelurahan,
        household_data=household_data(rt_keramasan),
        members=[member_data(1, disability=choices.Disability.PHYSICAL)],
    )
    assert household.members.get().disability == choices.Disability.PHYSICAL
    with pytest.raises(PermissionDenied):
        services.household_register(
            actor=user_lembaga, household_data=household_data(rt_keramasan, 2), members=[member_data(2)]
        )


def test_duplicate_merge_moves_records_runs_handlers_and_deactivates(user_kelurahan, household_keramasan, rt_keramasan):
    keep = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    drop = MemberFactory(
        household__kelurahan=rt_keramasan.kelurahan,
        household__rt=rt_keramasan,
        full_name="Budi Santosa",
        birth_date=keep.birth_date,
        nik=make_nik(8123, birth_date=keep.birth_date, female=False),
    )
    Consent.objects.create(
        household=drop.household,
        member=drop,
        consenter_name="x",
        purpose="registri",
        notice_version="v1",
        consented_on=datetime.date(2026, 1, 1),
    )
    calls = []
    merging.register_member_handler("test", lambda a, b: calls.append((a.pk, b.pk)))
    try:
        low, high = sorted([keep.pk, drop.pk])
        flag = DuplicateFlag.objects.create(kind="name_birth", member_id=low, other_id=high, score=0.8)
        services.duplicate_transition(actor=user_kelurahan, flag=flag, action=DuplicateFlag.Action.MERGE, keep=keep)
    finally:
        merging.unregister("test")
    drop.refresh_from_db()
    assert calls == [(drop.pk, keep.pk)]
    assert not drop.is_active and drop.removed_reason == choices.RemovalReason.DUPLICATE
    assert Consent.objects.get().member == keep
    flag.refresh_from_db()
    assert flag.status == DuplicateFlag.Status.MERGED and flag.reviewed_by == user_kelurahan
    with pytest.raises(ValidationError):
        services.duplicate_transition(actor=user_kelurahan, flag=flag, action=DuplicateFlag.Action.MERGE, keep=keep)


def test_duplicate_merge_is_rolled_back_when_a_handler_fails(user_kelurahan, household_keramasan):
    head, wife = household_keramasan.members.order_by("relationship")
    flag = DuplicateFlag.objects.create(
        kind="name_birth", member_id=min(head.pk, wife.pk), other_id=max(head.pk, wife.pk)
    )

    def broken(a, b):
        raise RuntimeError("gagal")

    merging.register_member_handler("broken", broken)
    try:
        with pytest.raises(RuntimeError):
            services.duplicate_transition(actor=user_kelurahan, flag=flag, action=DuplicateFlag.Action.MERGE, keep=head)
    finally:
        merging.unregister("broken")
    assert Member.objects.filter(is_active=True).count() == 2
    assert DuplicateFlag.objects.get().status == DuplicateFlag.Status.OPEN


def test_duplicate_dismiss(user_kelurahan, household_keramasan):
    head, wife = household_keramasan.members.order_by("pk")
    flag = DuplicateFlag.objects.create(kind="name_birth", member=head, other=wife)
    services.duplicate_transition(actor=user_kelurahan, flag=flag, action=DuplicateFlag.Action.DISMISS, note="kembar")
    assert DuplicateFlag.objects.get().status == DuplicateFlag.Status.DISMISSED
