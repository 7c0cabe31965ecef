import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beneficiaries import choices
from beneficiaries.models import Household
from core.models import AuditEvent
from tests.beneficiaries.conftest import member_data
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory, make_kk, make_nik
from tests.helpers import assert_queries

pytestmark = pytest.mark.django_db

LIST = reverse("beneficiaries:household_list")


def registry_queries(client, url) -> tuple[int, list[str]]:
    """(all queries, the registry's own queries) of one GET; other apps' panels and auth add to the first only."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    ours = [q["sql"] for q in ctx.captured_queries if "beneficiaries_" in q["sql"]]
    return len(ctx.captured_queries), ours


def make_households(rt, count, start=100):
    for n in range(count):
        household = HouseholdFactory(kelurahan=rt.kelurahan, rt=rt, kk_number=make_kk(start + n))
        MemberFactory(household=household)
        MemberFactory(
            household=household, relationship=choices.Relationship.CHILD, birth_date=datetime.date(2015, 1, 1)
        )


def test_list_query_count_does_not_grow_with_rows(client_for, user_kelurahan, rt_keramasan):
    client = client_for(user_kelurahan)
    make_households(rt_keramasan, 3)
    client.get(LIST)  # warm caches (content types, permissions)
    total, ours = registry_queries(client, LIST)
    # the page of households (head's name and member count as subqueries), the planner's estimate, and (small
    # results only) a count bounded by LIMIT: never COUNT(*) over the table, never OFFSET
    assert len(ours) == 3, ours
    assert ours[1].startswith("EXPLAIN")
    assert "LIMIT 1001" in ours[2]
    assert not any("OFFSET" in q for q in ours)
    make_households(rt_keramasan, 30, start=500)
    with assert_queries(total):
        response = client.get(LIST)
    assert len(response.context["page"].items) == 25
    assert response.context["page"].next_after is not None


def test_list_keyset_pages_cover_everything_once(client_for, user_kelurahan, rt_keramasan):
    make_households(rt_keramasan, 30)
    client = client_for(user_kelurahan)
    first = client.get(LIST).context["page"]
    second = client.get(LIST, {"after": first.next_after}).context["page"]
    assert len(first.items) == 25
    assert len(second.items) == 5
    assert second.is_last
    ids = [h.pk for h in first.items + second.items]
    assert len(set(ids)) == 30
    assert ids == sorted(ids, reverse=True)
    back = client.get(LIST, {"before": second.prev_before}).context["page"]
    assert [h.pk for h in back.items] == [h.pk for h in first.items]
    last = client.get(LIST, {"last": "1"}).context["page"]
    assert [h.pk for h in last.items] == sorted(ids, reverse=True)[-25:]


def test_list_masks_kk_and_filters(client_for, user_kelurahan, household_keramasan, rt_keramasan):
    other = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan, desil=9)
    MemberFactory(household=other, full_name="Zulkifli Ramadhan")
    client = client_for(user_kelurahan)
    response = client.get(LIST)
    content = response.content.decode()
    assert household_keramasan.kk_number not in content
    assert household_keramasan.kk_number[:4] + "********" in content
    assert [h.pk for h in client.get(LIST, {"desil": ["9"]}).context["page"].items] == [other.pk]
    assert [h.pk for h in client.get(LIST, {"q": "Zulkifli"}).context["page"].items] == [other.pk]


def test_list_children_out_of_school_filter(client_for, user_kelurahan, household_keramasan, rt_keramasan):
    other = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan)
    MemberFactory(household=other)
    today = timezone.localdate()
    MemberFactory(
        household=other,
        relationship=choices.Relationship.CHILD,
        birth_date=today.replace(year=today.year - 12),
        school_participation=choices.SchoolParticipation.NO_LONGER,
    )
    MemberFactory(
        household=household_keramasan,
        relationship=choices.Relationship.CHILD,
        birth_date=today.replace(year=today.year - 12) - datetime.timedelta(days=3),
        school_participation=choices.SchoolParticipation.IN_SCHOOL,
    )
    page = client_for(user_kelurahan).get(LIST, {"children_out_of_school": "on"}).context["page"]
    assert [h.pk for h in page.items] == [other.pk]


def test_disability_filter_only_for_view_sensitive(client_for, user_kelurahan, user_lembaga, household_keramasan):
    household_keramasan.members.filter(relationship=choices.Relationship.WIFE).update(
        disability=choices.Disability.SENSORY
    )
    response = client_for(user_kelurahan).get(LIST, {"has_disability": "on"})
    assert "has_disability" in response.context["filter"].form.fields
    assert [h.pk for h in response.context["page"].items] == [household_keramasan.pk]
    assert client_for(user_lembaga).get(LIST).status_code == 403


def test_detail_query_count_does_not_grow_with_members(client_for, user_kelurahan, household_keramasan):
    client = client_for(user_kelurahan)
    url = reverse("beneficiaries:household_detail", args=[household_keramasan.pk])
    client.get(url)
    total, ours = registry_queries(client, url)
    # household, members, household events, member events (other apps' panels come on top, each pinned there)
    assert (
        len(
            [
                q
                for q in ours
                if not q.startswith('SELECT "programs') and "aid_distribution" not in q and "infrastructure" not in q
            ]
        )
        <= 5
    )
    for n in range(5):
        MemberFactory(
            household=household_keramasan,
            relationship=choices.Relationship.CHILD,
            birth_date=datetime.date(2010, 1, 1 + n),
        )
    with assert_queries(total):
        response = client.get(url)
    assert len(response.context["members"]) == 7


def test_detail_masks_nik_and_hides_sensitive_without_permission(client_for, user_kelurahan, household_keramasan):
    wife = household_keramasan.members.get(relationship=choices.Relationship.WIFE)
    wife.disability = choices.Disability.PHYSICAL
    wife.save()
    url = reverse("beneficiaries:household_detail", args=[household_keramasan.pk])
    content = client_for(user_kelurahan).get(url).content.decode()
    assert wife.nik not in content
    assert wife.nik[:4] + "********" + wife.nik[-4:] in content
    assert "Disabilitas fisik" in content  # staf kelurahan has view_sensitive
    assert "Tampilkan" not in content  # but no reveal_nik


def test_detail_hides_sensitive_for_user_without_permission(client_for, household_keramasan):
    from accounts.models import Role
    from tests.factories.accounts import UserFactory

    user = UserFactory(role=Role.STAF_KECAMATAN)
    group = user.groups.get()
    group.permissions.remove(*group.permissions.filter(codename="view_sensitive"))
    user = type(user).objects.get(pk=user.pk)
    wife = household_keramasan.members.get(relationship=choices.Relationship.WIFE)
    wife.disability = choices.Disability.PHYSICAL
    wife.save()
    content = (
        client_for(user).get(reverse("beneficiaries:household_detail", args=[household_keramasan.pk])).content.decode()
    )
    assert "Disabilitas fisik" not in content


def test_reveal_is_post_only_logged_and_shows_full_nik_once(client_for, user_kecamatan, household_keramasan):
    client = client_for(user_kecamatan)
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    url = reverse("beneficiaries:household_reveal", args=[household_keramasan.pk])
    assert client.get(url).status_code == 302
    response = client.post(url, REMOTE_ADDR="10.1.2.3")
    assert head.nik in response.content.decode()
    event = AuditEvent.objects.get(action="nik_reveal")
    assert event.actor == user_kecamatan
    assert event.ip_address == "10.1.2.3"
    assert (event.object_type, event.object_id) == ("beneficiaries.Household", str(household_keramasan.pk))
    assert head.nik not in str(event.detail)
    detail = client.get(reverse("beneficiaries:household_detail", args=[household_keramasan.pk]))
    assert head.nik not in detail.content.decode()


def test_reveal_refused_without_permission(client_for, user_kelurahan, household_keramasan):
    url = reverse("beneficiaries:household_reveal", args=[household_keramasan.pk])
    assert client_for(user_kelurahan).post(url).status_code == 403
    assert not AuditEvent.objects.filter(action="nik_reveal").exists()


def test_search_by_nik_is_post_and_finds_member(client_for, user_kelurahan, household_keramasan):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    client = client_for(user_kelurahan)
    url = reverse("beneficiaries:household_search")
    spaced = f"{head.nik[:6]} {head.nik[6:12]} {head.nik[12:]}"
    response = client.post(url, {"kind": "nik", "q": spaced})
    assert response.context["results"] == [head]
    response = client.post(url, {"kind": "kk", "q": household_keramasan.kk_number})
    assert response.status_code == 302
    assert response.url.endswith(f"/keluarga/{household_keramasan.pk}/")
    response = client.post(url, {"kind": "name", "q": "Budi Santosa"})
    assert head in response.context["results"]
    response = client.post(url, {"kind": "nik", "q": "123"})
    assert "16 digit" in response.content.decode()


def test_register_flow_with_warning_confirmation(client_for, user_kelurahan, rt_keramasan):
    client = client_for(user_kelurahan)
    url = reverse("beneficiaries:household_create")
    assert client.get(url).status_code == 200
    m = member_data(1)
    post = {
        "kk_number": "1671130101200005",
        "rt": rt_keramasan.pk,
        "address": "Jl. Uji",
        "anggota-TOTAL_FORMS": "1",
        "anggota-INITIAL_FORMS": "0",
        "anggota-MIN_NUM_FORMS": "1",
        "anggota-MAX_NUM_FORMS": "1000",
        "anggota-0-nik": m["nik"],
        "anggota-0-full_name": m["full_name"],
        "anggota-0-sex": choices.Sex.FEMALE,  # NIK says male: a warning, not an error
        "anggota-0-birth_date": "17-05-1990",
        "anggota-0-relationship": choices.Relationship.HEAD,
    }
    response = client.post(url, post)
    assert response.status_code == 200
    assert "NIK menunjukkan jenis kelamin laki-laki" in response.content.decode()
    assert not Household.objects.exists()
    response = client.post(url, {**post, "confirm_warnings": "on"})
    assert response.status_code == 302
    assert Household.objects.get().members.get().sex == choices.Sex.FEMALE


def test_register_flow_shows_indonesian_nik_error(client_for, user_kelurahan, rt_keramasan):
    response = client_for(user_kelurahan).post(
        reverse("beneficiaries:household_create"),
        {
            "kk_number": "1671130101200005",
            "rt": rt_keramasan.pk,
            "address": "Jl. Uji",
            "anggota-TOTAL_FORMS": "1",
            "anggota-INITIAL_FORMS": "0",
            "anggota-0-nik": "16711301",
            "anggota-0-full_name": "X",
            "anggota-0-sex": "1",
            "anggota-0-birth_date": "1990-05-17",
            "anggota-0-relationship": "1",
        },
    )
    assert "NIK harus 16 digit angka" in response.content.decode()


def test_register_flow_collision_links_to_visible_record(client_for, user_kelurahan, household_keramasan, rt_keramasan):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    response = client_for(user_kelurahan).post(
        reverse("beneficiaries:household_create"),
        {
            "kk_number": "1671130101200005",
            "rt": rt_keramasan.pk,
            "address": "Jl. Uji",
            "anggota-TOTAL_FORMS": "1",
            "anggota-INITIAL_FORMS": "0",
            "anggota-0-nik": head.nik,
            "anggota-0-full_name": "X",
            "anggota-0-sex": "1",
            "anggota-0-birth_date": head.birth_date.isoformat(),
            "anggota-0-relationship": "1",
        },
    )
    content = response.content.decode()
    assert "sudah terdaftar pada anggota keluarga lain" in content
    assert reverse("beneficiaries:household_detail", args=[household_keramasan.pk]) in content


def test_edit_flow_updates_household_and_adds_member(client_for, user_kelurahan, household_keramasan):
    client = client_for(user_kelurahan)
    url = reverse("beneficiaries:household_update", args=[household_keramasan.pk])
    response = client.get(url)
    formset = response.context["formset"]
    post = {
        "kk_number": household_keramasan.kk_number,
        "rt": household_keramasan.rt_id,
        "address": "Jl. Baru Lr. Sejahtera",
        "desil": "4",
        "anggota-TOTAL_FORMS": str(len(formset.forms) + 1),
        "anggota-INITIAL_FORMS": str(len(formset.forms)),
    }
    for i, form in enumerate(formset.forms):
        m = form.instance
        post.update(
            {
                f"anggota-{i}-id": m.pk,
                f"anggota-{i}-nik": m.nik,
                f"anggota-{i}-full_name": m.full_name,
                f"anggota-{i}-sex": m.sex,
                f"anggota-{i}-birth_date": m.birth_date.isoformat(),
                f"anggota-{i}-relationship": m.relationship,
                f"anggota-{i}-education": m.education or "",
            }
        )
    n = len(formset.forms)
    child_birth = datetime.date(2014, 8, 9)
    post.update(
        {
            f"anggota-{n}-nik": make_nik(9911, birth_date=child_birth, female=False),
            f"anggota-{n}-full_name": "Anak Baru",
            f"anggota-{n}-sex": "1",
            f"anggota-{n}-birth_date": child_birth.isoformat(),
            f"anggota-{n}-relationship": choices.Relationship.CHILD,
        }
    )
    response = client.post(url, post)
    assert response.status_code == 302, response.content.decode()[:3000]
    household_keramasan.refresh_from_db()
    assert household_keramasan.address == "Jl. Baru Lr. Sejahtera"
    assert household_keramasan.desil == 4
    assert household_keramasan.members.count() == 3


def test_move_and_deactivate_views(client_for, user_kelurahan, household_keramasan, rt_keramasan):
    client = client_for(user_kelurahan)
    wife = household_keramasan.members.get(relationship=choices.Relationship.WIFE)
    response = client.post(
        reverse("beneficiaries:member_move", args=[wife.pk]),
        {
            "mode": "new",
            "new_kk": "1671130606200008",
            "new_rt": rt_keramasan.pk,
            "new_address": "Jl. Pisah",
            "relationship": "1",
        },
    )
    assert response.status_code == 302
    wife.refresh_from_db()
    assert wife.household.kk_number == "1671130606200008"
    response = client.post(reverse("beneficiaries:household_deactivate", args=[wife.household_id]), {"reason": "2"})
    assert response.status_code == 302
    assert not Household.objects.get(pk=wife.household_id).is_active


def test_subject_request_downloads_and_logs(client_for, user_kecamatan, user_kelurahan, household_keramasan):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    url = reverse("beneficiaries:member_subject_request", args=[head.pk])
    assert client_for(user_kelurahan).post(url).status_code == 403
    response = client_for(user_kecamatan).post(url, {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.json()["anggota"]["nik"] == head.nik
    response = client_for(user_kecamatan).post(url, {"format": "xlsx"})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="data_subject_request").count() == 2


def test_home_page_shows_registry_counts_only_to_registry_roles(
    client_for, user_kelurahan, user_pimpinan, household_keramasan
):
    response = client_for(user_kelurahan).get(reverse("core:home"))
    assert "Keluarga" in [str(s.label) for s in response.context["stats"]]
    response = client_for(user_pimpinan).get(reverse("core:home"))
    assert "Keluarga" not in [str(s.label) for s in response.context["stats"]]


def test_menu_entry_for_registry(client_for, user_kelurahan, user_pimpinan):
    assert 'data-menu="registry"' in client_for(user_kelurahan).get(reverse("core:home")).content.decode()
    assert 'data-menu="registry"' not in client_for(user_pimpinan).get(reverse("core:home")).content.decode()


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/akun/masuk/" in response.url


def test_history_is_shown_in_indonesian(client_for, user_kelurahan, rt_keramasan):
    from beneficiaries import services
    from tests.beneficiaries.conftest import household_data

    household = services.household_register(
        actor=user_kelurahan, household_data=household_data(rt_keramasan), members=[member_data(1)]
    )
    content = (
        client_for(user_kelurahan).get(reverse("beneficiaries:household_detail", args=[household.pk])).content.decode()
    )
    assert "pendaftaran keluarga" in content
    assert "dibuat" in content


def test_consent_record_and_withdraw_views(client_for, user_kelurahan, user_kelurahan_other, household_keramasan):
    from beneficiaries.models import Consent

    client = client_for(user_kelurahan)
    url = reverse("beneficiaries:consent_create", args=[household_keramasan.pk])
    response = client.post(
        url,
        {"consenter_name": "Budi Santoso", "purpose": "registri", "notice_version": "v1", "consented_on": "2026-11-01"},
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.recorded_by == user_kelurahan
    withdraw = reverse("beneficiaries:consent_withdraw", args=[consent.pk])
    assert client_for(user_kelurahan_other).post(withdraw).status_code == 404
    client.post(withdraw)
    consent.refresh_from_db()
    assert consent.withdrawn_on is not None
    assert client_for(user_kelurahan_other).post(url, {"consenter_name": "x"}).status_code == 404


def test_name_search_needs_every_word_and_tolerates_typos(client_for, user_kelurahan, household_keramasan):
    """Each typed word must resemble a word of the name: "Budi Saputra" is not every Budi and every Saputra."""
    names = ["Budi Saputra", "Budy Saputra", "Budi Hartono", "Rina Saputra", "Saputra Budiman"]
    members = {n: MemberFactory(household=household_keramasan, full_name=n, relationship=4) for n in names}
    client = client_for(user_kelurahan)
    response = client.post(reverse("beneficiaries:household_search"), {"kind": "name", "q": "Budi Saputra"})
    found = response.context["results"]
    assert found[0] == members["Budi Saputra"]
    assert members["Budy Saputra"] in found
    assert members["Saputra Budiman"] in found
    assert members["Budi Hartono"] not in found
    assert members["Rina Saputra"] not in found
    assert not response.context["results"] or "search-truncated" not in response.content.decode()
    listed = client.get(reverse("beneficiaries:household_list"), {"q": "Rina Saputra"}).context["page"].items
    assert [h.pk for h in listed] == [household_keramasan.pk]
    assert client.get(reverse("beneficiaries:household_list"), {"q": "Rina Hartono"}).context["page"].items == []
