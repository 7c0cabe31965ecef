"""Issue 22 B4: a household has exactly one active Kepala Keluarga, in the services, the form, the import, and
in the data-quality queue for households registered before the rule. Each test failed before the fix."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beneficiaries import choices
from beneficiaries.models import DuplicateFlag, Household, HouseholdFlag, Member
from beneficiaries.services import household_flag_transition, household_flags_detect, importing
from tests.beneficiaries.conftest import household_data, member_data
from tests.beneficiaries.test_importing import csv_bytes, errors_of, row
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory, make_kk, make_nik
from tests.helpers import assert_queries

pytestmark = pytest.mark.django_db

HEAD, WIFE, CHILD = choices.Relationship.HEAD, choices.Relationship.WIFE, choices.Relationship.CHILD


@pytest.fixture
def rts(rt_keramasan, rt_kemang):
    return rt_keramasan, rt_kemang


def members_of(household):
    return {m.full_name: m for m in household.members.active()}


# --- Services ---------------------------------------------------------------------------------------------


def test_register_without_a_head_is_refused_naming_the_household(user_kelurahan, rt_keramasan):
    from beneficiaries import services

    with pytest.raises(ValidationError) as error:
        services.household_register(
            actor=user_kelurahan,
            household_data=household_data(rt_keramasan, 1),
            members=[member_data(1, relationship=WIFE, female=True)],
            warnings_confirmed=True,
        )
    assert "harus memiliki satu Kepala Keluarga aktif" in " ".join(error.value.messages)
    assert "Keluarga KK 1671" in " ".join(error.value.messages)
    assert not Household.objects.exists()


def test_the_head_cannot_stop_being_head_alone(user_kelurahan, household_keramasan):
    from beneficiaries import services

    head = members_of(household_keramasan)["Budi Santoso"]
    with pytest.raises(ValidationError) as error:
        services.member_update(actor=user_kelurahan, member=head, data={"relationship": choices.Relationship.HUSBAND})
    assert "Budi Santoso adalah Kepala Keluarga KK 1671" in str(error.value)
    head.refresh_from_db()
    assert head.relationship == HEAD


def test_the_edit_screen_swaps_head_and_spouse_in_one_save(user_kelurahan, household_keramasan):
    from beneficiaries import services

    members = members_of(household_keramasan)
    head, wife = members["Budi Santoso"], members["Siti Aminah"]
    rows = [
        {**member_data(1), "id": head.pk, "nik": head.nik, "full_name": head.full_name,
         "birth_date": head.birth_date, "relationship": choices.Relationship.HUSBAND},
        {**member_data(2, female=True), "id": wife.pk, "nik": wife.nik, "full_name": wife.full_name,
         "birth_date": wife.birth_date, "relationship": HEAD},
    ]  # fmt: skip
    services.household_save_with_members(
        actor=user_kelurahan, household=household_keramasan, data={}, members=rows, warnings_confirmed=True
    )
    assert household_keramasan.members.get(relationship=HEAD) == wife
    rows[1]["relationship"] = WIFE  # now nobody would be head: refused as a whole
    with pytest.raises(ValidationError):
        services.household_save_with_members(
            actor=user_kelurahan, household=household_keramasan, data={}, members=rows, warnings_confirmed=True
        )
    assert household_keramasan.members.get(relationship=HEAD) == wife


def test_deactivating_the_head_needs_a_successor(user_kelurahan, household_keramasan):
    from beneficiaries import services

    members = members_of(household_keramasan)
    head, wife = members["Budi Santoso"], members["Siti Aminah"]
    with pytest.raises(ValidationError) as error:
        services.member_deactivate(actor=user_kelurahan, member=head, reason=choices.RemovalReason.DECEASED)
    assert "pilih anggota keluarga ini yang menjadi Kepala Keluarga baru" in str(error.value)
    assert Member.objects.get(pk=head.pk).is_active
    services.member_deactivate(actor=user_kelurahan, member=head, reason=choices.RemovalReason.DECEASED, new_head=wife)
    wife.refresh_from_db()
    assert wife.relationship == HEAD
    assert not Member.objects.get(pk=head.pk).is_active


def test_the_last_member_is_not_deactivated_alone(user_kecamatan, household_kemang):
    from beneficiaries import services

    only = household_kemang.members.get()
    with pytest.raises(ValidationError) as error:
        services.member_deactivate(actor=user_kecamatan, member=only, reason=choices.RemovalReason.DECEASED)
    assert "satu-satunya anggota aktif" in str(error.value)


def test_moving_the_head_out_promotes_the_successor(user_kecamatan, household_keramasan, rt_keramasan):
    from beneficiaries import services

    members = members_of(household_keramasan)
    head, wife = members["Budi Santoso"], members["Siti Aminah"]
    new_kk = {"kk_number": make_kk(8801), "rt": rt_keramasan, "address": "Jl. Baru"}
    with pytest.raises(ValidationError):
        services.member_move(actor=user_kecamatan, member=head, new_household_data=new_kk, relationship=HEAD)
    with pytest.raises(ValidationError) as error:  # the one who opens a new KK is its head
        services.member_move(
            actor=user_kecamatan, member=head, new_household_data=new_kk, relationship=CHILD, new_head=wife
        )
    assert "Di KK baru" in str(error.value)
    services.member_move(actor=user_kecamatan, member=head, new_household_data=new_kk, relationship=HEAD, new_head=wife)
    wife.refresh_from_db()
    assert wife.relationship == HEAD
    assert wife.household_id == household_keramasan.pk


def test_the_last_member_moving_out_closes_the_empty_family(user_kecamatan, household_keramasan, household_kemang):
    from beneficiaries import services

    only = household_kemang.members.get()
    wife = members_of(household_keramasan)["Siti Aminah"]
    services.member_move(actor=user_kecamatan, member=only, to_household=household_keramasan, relationship=CHILD)
    household_kemang.refresh_from_db()
    assert not household_kemang.is_active
    assert household_kemang.removed_reason == choices.RemovalReason.OTHER
    assert household_keramasan.members.active().count() == 3
    assert wife.relationship == WIFE


def test_a_member_added_to_a_headless_family_must_fix_it(user_kelurahan, rt_keramasan):
    from beneficiaries import services

    headless = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan)
    MemberFactory(household=headless, relationship=WIFE, female=True)
    child = member_data(3, birth=datetime.date(2015, 3, 3), relationship=CHILD)
    with pytest.raises(ValidationError) as error:
        services.member_add(actor=user_kelurahan, household=headless, data=child, warnings_confirmed=True)
    assert "harus memiliki satu Kepala Keluarga aktif" in str(error.value)
    assert headless.members.count() == 1


def test_merge_refuses_to_drop_a_head_whose_family_stays(user_kelurahan, household_keramasan, rt_keramasan):
    from beneficiaries import services

    head = members_of(household_keramasan)["Budi Santoso"]
    other = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan)
    twin = MemberFactory(household=other, full_name="Budi Santosa", birth_date=head.birth_date)
    low, high = sorted([head, twin], key=lambda m: m.pk)
    flag = DuplicateFlag.objects.create(kind=DuplicateFlag.Kind.NAME_BIRTH, member=low, other=high)
    with pytest.raises(ValidationError) as error:
        services.duplicate_transition(actor=user_kelurahan, flag=flag, action=DuplicateFlag.Action.MERGE, keep=twin)
    assert "Budi Santoso adalah Kepala Keluarga" in str(error.value)
    services.duplicate_transition(actor=user_kelurahan, flag=flag, action=DuplicateFlag.Action.MERGE, keep=head)
    other.refresh_from_db()
    assert not other.is_active
    assert other.removed_reason == choices.RemovalReason.DUPLICATE


# --- Form ---------------------------------------------------------------------------------------------------


def test_register_form_without_a_head_shows_the_rule(client_for, user_kelurahan, rt_keramasan):
    m = member_data(1, relationship=WIFE, female=True)
    response = client_for(user_kelurahan).post(
        reverse("beneficiaries:household_create"),
        {
            "kk_number": "1671130101200005",
            "rt": rt_keramasan.pk,
            "address": "Jl. Uji",
            "anggota-TOTAL_FORMS": "1",
            "anggota-INITIAL_FORMS": "0",
            "anggota-0-nik": m["nik"],
            "anggota-0-full_name": m["full_name"],
            "anggota-0-sex": m["sex"],
            "anggota-0-birth_date": m["birth_date"].isoformat(),
            "anggota-0-relationship": WIFE,
        },
    )
    assert response.status_code == 200
    assert "Pilih satu anggota sebagai Kepala Keluarga" in response.content.decode()
    assert not Household.objects.exists()


def test_member_deactivate_page_asks_for_the_new_head(client_for, user_kelurahan, household_keramasan):
    members = members_of(household_keramasan)
    head, wife = members["Budi Santoso"], members["Siti Aminah"]
    client = client_for(user_kelurahan)
    url = reverse("beneficiaries:member_deactivate", args=[head.pk])
    assert "Kepala Keluarga baru" in client.get(url).content.decode()
    response = client.post(url, {"reason": choices.RemovalReason.DECEASED})
    assert response.status_code == 200
    assert Member.objects.get(pk=head.pk).is_active
    response = client.post(url, {"reason": choices.RemovalReason.DECEASED, "new_head": wife.pk})
    assert response.status_code == 302
    assert Member.objects.get(pk=wife.pk).relationship == HEAD


def test_member_move_page_asks_for_the_new_head(client_for, user_kelurahan, household_keramasan, rt_keramasan):
    members = members_of(household_keramasan)
    head, wife = members["Budi Santoso"], members["Siti Aminah"]
    client = client_for(user_kelurahan)
    url = reverse("beneficiaries:member_move", args=[head.pk])
    post = {"mode": "new", "new_kk": "1671130606200008", "new_rt": rt_keramasan.pk, "new_address": "Jl. Pisah"}
    response = client.post(url, {**post, "relationship": HEAD})
    assert response.status_code == 200
    assert "Kepala Keluarga baru" in response.content.decode()
    response = client.post(url, {**post, "relationship": HEAD, "new_head": wife.pk})
    assert response.status_code == 302
    assert Member.objects.get(pk=wife.pk).relationship == HEAD


# --- Import -----------------------------------------------------------------------------------------------


def run(actor, data):
    batch = importing.import_batch_create(actor=actor, uploaded_file=SimpleUploadedFile("k.csv", data))
    return importing.import_batch_validate(batch_id=batch.pk)


def test_import_rejects_every_row_of_a_family_without_a_head(user_kelurahan, rts):
    kk = make_kk(4100)
    batch = run(
        user_kelurahan,
        csv_bytes(
            [
                row(1),  # a complete family: accepted
                row(2, kk=kk, rel="3", sex="P", no_rumah="9"),  # wife and child, but no head
                row(3, kk=kk, rel="4", birth="01-02-2012", no_rumah="9"),
            ]
        ),
    )
    errors = errors_of(batch)
    assert set(errors) == {3, 4}
    assert all("tidak memiliki Kepala Keluarga" in " ".join(messages) for messages in errors.values())
    assert batch.accepted_rows == 1
    assert batch.rejected_rows == 2


def test_import_family_whose_head_row_is_rejected_is_rejected_whole(user_kelurahan, rts):
    kk = make_kk(4200)
    batch = run(
        user_kelurahan,
        csv_bytes([row(1, kk=kk, nik="123"), row(2, kk=kk, rel="4", birth="01-02-2012", no_rumah="1")]),
    )
    assert "tidak memiliki Kepala Keluarga" in " ".join(errors_of(batch)[3])
    assert batch.accepted_rows == 0


def test_import_adds_a_child_to_a_registered_family_with_its_head(user_kelurahan, rts, household_keramasan):
    head = members_of(household_keramasan)["Budi Santoso"]
    child_birth = datetime.date(2016, 4, 4)
    child = row(
        5,
        kk=household_keramasan.kk_number,
        rel="4",
        birth=child_birth.strftime("%d-%m-%Y"),
        nik=make_nik(4305, birth_date=child_birth, female=False),
        alamat=household_keramasan.address,
        no_rumah=household_keramasan.house_number,
    )
    batch = run(user_kelurahan, csv_bytes([child]))
    assert batch.accepted_rows == 1, errors_of(batch)
    second_head = row(6, kk=household_keramasan.kk_number, rel="1", alamat=household_keramasan.address,
                      no_rumah=household_keramasan.house_number)  # fmt: skip
    batch = run(user_kelurahan, csv_bytes([second_head]))
    assert "sudah memiliki Kepala Keluarga lain di registri" in " ".join(errors_of(batch)[2])
    assert head.relationship == HEAD


# --- The data-quality queue ---------------------------------------------------------------------------------


@pytest.fixture
def broken_households(rt_keramasan):
    headless = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan, address="Jl. Tanpa Kepala")
    MemberFactory(household=headless, relationship=WIFE, female=True)
    two = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan, address="Jl. Dua Kepala")
    MemberFactory(household=two, full_name="Kepala Satu")
    MemberFactory(household=two, full_name="Kepala Dua", birth_date=datetime.date(1990, 1, 1))
    return headless, two


def test_detection_flags_headless_and_two_head_households_once(household_keramasan, broken_households):
    headless, two = broken_households
    assert household_flags_detect() == 2
    assert household_flags_detect() == 0  # idempotent
    flags = {f.household_id: f for f in HouseholdFlag.objects.open()}
    assert flags[headless.pk].kind == HouseholdFlag.Kind.NO_HEAD
    assert flags[headless.pk].heads == 0
    assert flags[two.pk].kind == HouseholdFlag.Kind.TWO_HEADS
    assert flags[two.pk].heads == 2
    assert household_keramasan.pk not in flags


def test_queue_page_lists_household_flags_with_pinned_queries(
    client_for, user_kelurahan, broken_households, rt_keramasan
):
    household_flags_detect()
    client = client_for(user_kelurahan)
    url = reverse("beneficiaries:duplicate_list")
    response = client.get(url)
    content = response.content.decode()
    assert "Jl. Tanpa Kepala" in content
    assert "Jl. Dua Kepala" in content
    assert "Tidak ada Kepala Keluarga" in content
    with assert_queries(7) as ctx:  # session, user, 2 x permissions, duplicate pairs, household flags, savepoint
        client.get(url)
    more = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan)
    MemberFactory(household=more, relationship=CHILD)
    household_flags_detect()
    with assert_queries(len(ctx.captured_queries)):
        response = client.get(url)
    assert len(response.context["household_flags"]) == 3


def test_a_flag_is_resolved_only_once_the_household_is_right(client_for, user_kelurahan, broken_households):
    from beneficiaries import services

    headless, _two = broken_households
    household_flags_detect()
    flag = HouseholdFlag.objects.get(household=headless)
    client = client_for(user_kelurahan)
    response = client.post(reverse("beneficiaries:household_flag_resolve", args=[flag.pk]), follow=True)
    assert "masih memiliki 0 Kepala Keluarga aktif" in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == HouseholdFlag.Status.OPEN
    wife = headless.members.get()
    rows = [{"id": wife.pk, "nik": wife.nik, "full_name": wife.full_name, "sex": wife.sex,
             "birth_date": wife.birth_date, "relationship": HEAD}]  # fmt: skip
    services.household_save_with_members(actor=user_kelurahan, household=headless, data={}, members=rows)
    flag.refresh_from_db()
    assert flag.status == HouseholdFlag.Status.RESOLVED
    assert flag.resolved_by == user_kelurahan


def test_detection_resolves_flags_of_households_fixed_meanwhile(broken_households):
    headless, two = broken_households
    household_flags_detect()
    two.members.filter(full_name="Kepala Dua").update(relationship=CHILD)
    household_flags_detect()
    assert HouseholdFlag.objects.get(household=two).status == HouseholdFlag.Status.RESOLVED
    assert HouseholdFlag.objects.get(household=headless).status == HouseholdFlag.Status.OPEN


def test_a_resolved_flag_cannot_be_resolved_again(user_kelurahan, broken_households):
    _headless, two = broken_households
    household_flags_detect()
    flag = HouseholdFlag.objects.get(household=two)
    two.members.filter(full_name="Kepala Dua").update(relationship=CHILD)
    household_flag_transition(actor=user_kelurahan, flag=flag, action=HouseholdFlag.Action.RESOLVE)
    with pytest.raises(ValidationError):
        household_flag_transition(actor=user_kelurahan, flag=flag, action=HouseholdFlag.Action.RESOLVE)


def test_household_flag_out_of_scope_is_404(client_for, user_kelurahan, rt_kemang):
    theirs = HouseholdFactory(kelurahan=rt_kemang.kelurahan, rt=rt_kemang)
    MemberFactory(household=theirs, relationship=WIFE, female=True)
    household_flags_detect()
    flag = HouseholdFlag.objects.get()
    response = client_for(user_kelurahan).post(reverse("beneficiaries:household_flag_resolve", args=[flag.pk]))
    assert response.status_code == 404
    assert (
        "Jl."
        not in client_for(user_kelurahan)
        .get(reverse("beneficiaries:duplicate_list"))
        .context["household_flags"]
        .__repr__()
    )
