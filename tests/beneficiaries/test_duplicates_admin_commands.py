import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from beneficiaries import choices, demo
from beneficiaries.models import DuplicateFlag, Household, Member
from beneficiaries.services.duplicates import duplicates_detect
from core.history import acting_as
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory, make_nik

pytestmark = pytest.mark.django_db


def test_detection_flags_similar_name_same_birth_once(household_keramasan, rt_keramasan):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    other = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan)
    twin = MemberFactory(
        household=other,
        full_name="Budi Santosa",
        birth_date=head.birth_date,
        nik=make_nik(7777, birth_date=head.birth_date, female=False),
    )
    MemberFactory(
        household=other, full_name="Joko Widodo", birth_date=head.birth_date, relationship=choices.Relationship.OTHER
    )
    assert duplicates_detect() >= 1
    flag = DuplicateFlag.objects.get(member=head, other=twin)
    assert flag.score > 0.5
    assert duplicates_detect() == 0  # a pair is raised once


def test_duplicate_queue_and_merge_view(client_for, user_kelurahan, household_keramasan, rt_keramasan):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    other = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan)
    twin = MemberFactory(
        household=other,
        full_name="Budi Santosa",
        birth_date=head.birth_date,
        nik=make_nik(7777, birth_date=head.birth_date, female=False),
    )
    duplicates_detect()
    client = client_for(user_kelurahan)
    response = client.get(reverse("beneficiaries:duplicate_list"))
    assert "Budi Santosa" in response.content.decode()
    flag = DuplicateFlag.objects.get()
    response = client.post(reverse("beneficiaries:duplicate_detail", args=[flag.pk]), {"decision": "keep_member"})
    assert response.status_code == 302
    twin.refresh_from_db()
    assert not twin.is_active
    assert twin.removed_reason == choices.RemovalReason.DUPLICATE


def test_demo_is_idempotent_and_gives_review_work():
    with acting_as(None, command="seed_demo"):
        demo.seed(log=lambda m: None)
        counts = (Household.objects.count(), Member.objects.count(), DuplicateFlag.objects.count())
        demo.seed(log=lambda m: None)
    assert counts == (Household.objects.count(), Member.objects.count(), DuplicateFlag.objects.count())
    assert counts[0] == 62
    assert counts[2] >= 2
    assert set(Household.objects.values_list("kelurahan__name", flat=True).distinct()).__len__() == 6
    assert Member.objects.filter(disability__isnull=False).exists()
    assert Member.objects.filter(
        school_participation=choices.SchoolParticipation.NO_LONGER, birth_date__gt=datetime.date(2008, 1, 1)
    ).exists()


def test_generate_synthetic_command_writes_valid_rows(capsys):
    call_command("generate_synthetic", "--households", "50", "--seed", "7")
    assert Household.objects.count() == 50
    assert Member.objects.count() >= 50
    sample = Member.objects.order_by("pk").first()
    sample.full_clean()
    assert "Selesai" in capsys.readouterr().out


def test_admin_search_and_writes_go_through_services(client_for, user_admin, household_keramasan):
    client = client_for(user_admin)
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    response = client.get(reverse("admin:beneficiaries_member_changelist"), {"q": head.nik})
    assert response.status_code == 200
    assert head.full_name in response.content.decode()
    response = client.get(reverse("admin:beneficiaries_household_changelist"), {"q": household_keramasan.kk_number})
    assert (
        response.status_code == 200
        and "1 keluarga" in response.content.decode()
        or household_keramasan.address in response.content.decode()
    )
    wife = household_keramasan.members.get(relationship=choices.Relationship.WIFE)
    url = reverse("admin:beneficiaries_member_change", args=[wife.pk])
    data = {
        "household": household_keramasan.pk,
        "nik": head.nik,  # collision: refused by the form
        "full_name": wife.full_name,
        "sex": wife.sex,
        "birth_date": wife.birth_date.isoformat(),
        "relationship": wife.relationship,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "sudah terdaftar" in response.content.decode()
    response = client.post(url, {**data, "nik": "12345"})
    assert "16 digit" in response.content.decode()
    response = client.post(url, {**data, "nik": wife.nik, "full_name": "Siti Aminah Baru"})
    assert response.status_code == 302
    wife.refresh_from_db()
    assert wife.full_name == "Siti Aminah Baru"


def test_admin_change_pages_link_to_history(client_for, user_admin, household_keramasan):
    client = client_for(user_admin)
    response = client.get(reverse("admin:beneficiaries_household_change", args=[household_keramasan.pk]))
    content = response.content.decode()
    assert f"obj=beneficiaries.Household:{household_keramasan.pk}" in content
    history = client.get(
        reverse("admin:pghistory_events_changelist"),
        {"obj": f"beneficiaries.Household:{household_keramasan.pk}", "method": "references"},
    )
    assert history.status_code == 200
