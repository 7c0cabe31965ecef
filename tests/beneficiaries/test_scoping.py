"""Staf Kelurahan of Keramasan never reaches a Kemang Agung household: list, search, detail, export, actions."""

import pytest
from django.http import Http404
from django.urls import reverse

from beneficiaries import choices, selectors
from beneficiaries.models import DuplicateFlag
from tests.security.denial import design_denial

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_head(household_kemang):
    return household_kemang.members.get(relationship=choices.Relationship.HEAD)


def test_selectors_hide_other_kelurahan(user_kelurahan, household_keramasan, household_kemang, other_head):
    assert list(selectors.household_list(user=user_kelurahan, filters={})) == [household_keramasan]
    with pytest.raises(Http404):
        selectors.household_get_for_user(user=user_kelurahan, pk=household_kemang.pk)
    with pytest.raises(Http404):
        selectors.household_get_for_user(user=user_kelurahan, pk=999999)
    assert selectors.member_nik_lookup(user=user_kelurahan, nik=other_head.nik) is None
    assert selectors.household_kk_lookup(user=user_kelurahan, kk_number=household_kemang.kk_number) is None
    assert selectors.member_name_search(user=user_kelurahan, name=other_head.full_name) == []


def test_list_does_not_show_other_kelurahan(client_for, user_kelurahan, household_kemang):
    response = client_for(user_kelurahan).get(reverse("beneficiaries:household_list"))
    assert household_kemang not in response.context["page"].items
    response = client_for(user_kelurahan).get(
        reverse("beneficiaries:household_list"), {"kelurahan": household_kemang.kelurahan_id}
    )
    assert response.context["page"].items == []


@pytest.mark.parametrize(
    "name,method",
    [
        ("beneficiaries:household_detail", "get"),
        ("beneficiaries:household_update", "get"),
        ("beneficiaries:household_deactivate", "get"),
        ("beneficiaries:household_deactivate", "post"),
        ("beneficiaries:household_reveal", "post"),
    ],
)
def test_household_urls_404_out_of_scope(
    client_for, user_kelurahan, user_kecamatan_scoped, household_kemang, name, method
):
    url = reverse(name, args=[household_kemang.pk])
    for user in (user_kelurahan, user_kecamatan_scoped):
        response = getattr(client_for(user), method)(url, {"reason": "1"} if method == "post" else None)
        # 404 ("not yours" is "missing"); 403 only where the role lacks the permission (Staf Kelurahan: reveal_nik)
        assert response.status_code == design_denial(user, method, url), (name, user, response.status_code)
        assert household_kemang.kk_number not in response.content.decode()


@pytest.mark.parametrize(
    "name,method",
    [
        ("beneficiaries:member_move", "get"),
        ("beneficiaries:member_move", "post"),
        ("beneficiaries:member_deactivate", "post"),
        ("beneficiaries:member_subject_request", "post"),
    ],
)
def test_member_urls_404_out_of_scope(client_for, user_kecamatan_scoped, other_head, name, method):
    response = getattr(client_for(user_kecamatan_scoped), method)(reverse(name, args=[other_head.pk]), {"reason": "1"})
    assert response.status_code == 404


def test_search_by_nik_kk_name_finds_nothing_out_of_scope(client_for, user_kelurahan, household_kemang, other_head):
    client = client_for(user_kelurahan)
    url = reverse("beneficiaries:household_search")
    for kind, q in (("nik", other_head.nik), ("kk", household_kemang.kk_number), ("name", other_head.full_name)):
        response = client.post(url, {"kind": kind, "q": q})
        assert response.status_code == 200
        assert response.context["results"] == []
        results = response.content.decode().split('data-testid="search-results"')[1]
        assert other_head.full_name not in results and other_head.nik[-4:] not in results


def test_export_excludes_other_kelurahan(client_for, user_kelurahan, household_keramasan, household_kemang, other_head):
    response = client_for(user_kelurahan).post(
        reverse("beneficiaries:household_export"), {"format": "csv", "kelurahan": household_kemang.kelurahan_id}
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert other_head.full_name not in body
    response = client_for(user_kelurahan).post(reverse("beneficiaries:household_export"), {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert other_head.full_name not in body and household_keramasan.members.first().full_name in body


def test_duplicate_review_out_of_scope_is_404(client_for, user_kelurahan, household_keramasan, other_head):
    mine = household_keramasan.members.first()
    low, high = sorted([mine, other_head], key=lambda m: m.pk)
    flag = DuplicateFlag.objects.create(kind="name_birth", member=low, other=high)
    assert client_for(user_kelurahan).get(reverse("beneficiaries:duplicate_detail", args=[flag.pk])).status_code == 404


def test_roles_without_registry_access_get_403(client_for, user_lembaga, user_pimpinan, household_keramasan):
    for user in (user_lembaga, user_pimpinan):
        client = client_for(user)
        assert client.get(reverse("beneficiaries:household_list")).status_code == 403
        assert client.get(reverse("beneficiaries:household_detail", args=[household_keramasan.pk])).status_code == 403


#: every registry URL that takes an id -> the test that shows an out-of-scope user gets 403/404
ACCESS_TESTS = {
    "household_detail": "test_household_urls_404_out_of_scope",
    "household_update": "test_household_urls_404_out_of_scope",
    "household_deactivate": "test_household_urls_404_out_of_scope",
    "household_reveal": "test_household_urls_404_out_of_scope",
    "member_move": "test_member_urls_404_out_of_scope",
    "member_deactivate": "test_member_urls_404_out_of_scope",
    "member_subject_request": "test_member_urls_404_out_of_scope",
    "consent_create": "test_views.py::test_consent_record_and_withdraw_views",
    "consent_withdraw": "test_views.py::test_consent_record_and_withdraw_views",
    "duplicate_detail": "test_duplicate_review_out_of_scope_is_404",
    "import_detail": "test_importing.py::test_import_batches_are_private_to_their_uploader",
    "import_rejected": "test_importing.py::test_import_batches_are_private_to_their_uploader",
    "household_flag_resolve": "test_household_heads.py::test_household_flag_out_of_scope_is_404",
    "import_progress": "test_importing.py::test_import_batches_are_private_to_their_uploader",
}


def test_every_registry_url_with_an_id_has_an_access_test():
    """S2 for this app (tests/security/test_access_matrix.py relies on it): a new URL with an id fails here."""
    from django.urls import URLPattern, get_resolver

    resolver = get_resolver()
    registry = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "beneficiaries")
    with_ids = {p.name for p in registry.url_patterns if isinstance(p, URLPattern) and p.pattern.converters}
    assert with_ids == set(ACCESS_TESTS)
