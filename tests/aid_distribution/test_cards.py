"""Household cards (issue 22 B7): the code under the QR, a round's or an RT's cards as one PDF, the typed-code
lookup (page and API), and a reissued card refused everywhere."""

import base64
import re
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from aid_distribution import selectors
from aid_distribution.models import RoundStatus
from beneficiaries import services
from beneficiaries.validators import card_code_display
from core.models import AuditAction, AuditEvent
from tests.factories.aid_distribution import DistributionRoundFactory, entitled_household
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.core import RTFactory, kelurahan
from tests.helpers import assert_queries

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The text a reportlab PDF draws (content streams maybe ASCII85 + Flate; strings are PDF literals)."""
    assert data.startswith(b"%PDF-")
    out = []
    for match in re.finditer(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", data, re.S):
        header, body = match.groups()
        if b"/ASCII85Decode" in header:
            body = base64.a85decode(body.strip().removesuffix(b"~>"))
        if b"/FlateDecode" in header:
            try:
                body = zlib.decompress(body)
            except zlib.error:  # an image
                continue
        for literal in re.finditer(rb"\((?:\\.|[^\\)])*\)", body, re.S):
            out.append(re.sub(rb"\\(.)", rb"\1", literal.group(0)[1:-1], flags=re.S).decode("cp1252", "replace"))
    return "\n".join(out)


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


# --- The PDFs --------------------------------------------------------------------------------------------


def test_single_card_shows_the_code_under_the_qr(client_for, worker_a, round_a):
    household = round_a.entitlements.first().household
    response = client_for(worker_a).get(reverse("aid_distribution:household_card", args=[household.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert card_code_display(household.card_code) in text and "Kode kartu" in text
    assert household.card_token not in text  # the token is only in the QR image


def test_round_cards_one_pdf_ordered_by_rt_then_head_name(client_for, worker_a, institution_a):
    round_ = DistributionRoundFactory(institution=institution_a, status=RoundStatus.APPROVED, name="Kartu")
    rt_far, rt_near = RTFactory(number=7, rw=2), RTFactory(number=3, rw=1)
    for name, rt in [("Zainal", rt_near), ("Ani", rt_far), ("Budi", rt_near), ("Citra", rt_far)]:
        household = HouseholdFactory(rt=rt, kelurahan=rt.kelurahan)
        MemberFactory(household=household, full_name=name)
        round_.entitlements.create(household=household)
    gone = entitled_household(round_)
    gone.household.members.update(full_name="Tidak Aktif")
    type(gone.household).objects.filter(pk=gone.household_id).update(is_active=False, removed_reason=1)
    client = client_for(worker_a)
    url = reverse("aid_distribution:round_cards_pdf", args=[round_.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    positions = [text.index(name) for name in ("Budi", "Zainal", "Ani", "Citra")]
    assert positions == sorted(positions)  # RT 003 (Budi, Zainal), then RT 007 (Ani, Citra)
    assert "Tidak Aktif" not in text
    assert page_count(response.content) == 1
    for entitlement in round_.entitlements.select_related("household").filter(household__is_active=True):
        assert card_code_display(entitlement.household.card_code) in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == worker_a and event.detail == {"kind": "household_cards", "cards": 4, "round": round_.pk}


def test_round_cards_query_count_does_not_grow_and_pages_hold_ten(client_for, worker_a, round_a):
    client = client_for(worker_a)
    url = reverse("aid_distribution:round_cards_pdf", args=[round_a.pk])
    client.get(url)
    # session, user, second factor, permissions (2), round, entitlements with head (subqueries), audit insert
    with assert_queries(8):
        assert client.get(url).status_code == 200
    for _i in range(18):
        entitled_household(round_a)
    with assert_queries(8):
        response = client.get(url)
    assert page_count(response.content) == 3  # 21 cards, ten a sheet


def test_round_cards_only_for_who_may_see_the_round(client_for, worker_b, round_a, user_kecamatan, user_lembaga):
    url = reverse("aid_distribution:round_cards_pdf", args=[round_a.pk])
    assert client_for(worker_b).get(url).status_code == 404
    assert client_for(user_lembaga).get(url).status_code == 404
    assert client_for(user_kecamatan).get(url).status_code == 200


def test_five_hundred_cards_on_fifty_sheets(client_for, worker_a, institution_a):
    """How long it takes is measured by bench/card_sheets.py, not here."""
    round_ = DistributionRoundFactory(institution=institution_a, status=RoundStatus.APPROVED, name="Besar")
    rt = RTFactory(number=9, rw=2)
    households = HouseholdFactory.create_batch(500, rt=rt, kelurahan=rt.kelurahan)
    round_.entitlements.bulk_create([round_.entitlements.model(round=round_, household=h) for h in households])
    response = client_for(worker_a).get(reverse("aid_distribution:round_cards_pdf", args=[round_.pk]))
    assert response.status_code == 200
    assert page_count(response.content) == 50


def test_rt_cards_for_registry_staff_in_scope(client_for, user_kelurahan, user_kelurahan_other, user_lembaga):
    rt = RTFactory(kelurahan=kelurahan("Keramasan"), number=12, rw=3)
    for name in ("Wati", "Agus"):
        household = HouseholdFactory(rt=rt, kelurahan=rt.kelurahan)
        MemberFactory(household=household, full_name=name)
    other_rt = HouseholdFactory(rt=RTFactory(kelurahan=rt.kelurahan, number=13, rw=3), kelurahan=rt.kelurahan)
    MemberFactory(household=other_rt, full_name="Lain RT")
    url = reverse("aid_distribution:rt_cards_pdf", args=[rt.pk])
    client = client_for(user_kelurahan)
    client.get(url)
    # session, user, second factor, RT, permissions (2), households with head, audit insert
    with assert_queries(8):
        response = client.get(url)
    text = pdf_text(response.content)
    assert text.index("Agus") < text.index("Wati") and "Lain RT" not in text
    assert "RT 012/RW 003" in text
    assert client_for(user_kelurahan_other).get(url).status_code == 404
    assert client_for(user_lembaga).get(url).status_code == 404


def test_registry_list_offers_rt_cards_when_filtered_by_rt(client_for, user_kelurahan, user_kecamatan):
    rt = RTFactory(kelurahan=kelurahan("Keramasan"), number=12, rw=3)
    RTFactory(kelurahan=kelurahan("Kemang Agung"), number=12, rw=3)
    list_url = reverse("beneficiaries:household_list")
    pdf_url = reverse("aid_distribution:rt_cards_pdf", args=[rt.pk])
    client = client_for(user_kelurahan)
    assert pdf_url not in client.get(list_url).content.decode()
    page = client.get(list_url, {"rt": "12"}).content.decode()
    assert pdf_url in page and "Cetak kartu RT 012/RW 003" in page
    # RT 12 exists in two kelurahan the Staf Kecamatan sees: the list asks for the kelurahan first.
    page = client_for(user_kecamatan).get(list_url, {"rt": "12"}).content.decode()
    assert pdf_url not in page and "Pilih kelurahan untuk mencetak kartu RT ini." in page
    page = client_for(user_kecamatan).get(list_url, {"rt": "12", "kelurahan": rt.kelurahan_id}).content.decode()
    assert pdf_url in page


def test_round_page_has_the_print_button(client_for, worker_a, round_a):
    page = client_for(worker_a).get(reverse("aid_distribution:round_detail", args=[round_a.pk])).content.decode()
    assert reverse("aid_distribution:round_cards_pdf", args=[round_a.pk]) in page


# --- The household page: code, print, reissue ------------------------------------------------------------


@pytest.fixture
def registry_household(keramasan):
    rt = RTFactory(kelurahan=keramasan, number=1, rw=1)
    household = HouseholdFactory(rt=rt, kelurahan=keramasan)
    MemberFactory(household=household, full_name="Budi Santoso")
    return household


def test_household_page_shows_code_print_and_reissue(client_for, user_kelurahan, user_kecamatan, registry_household):
    url = reverse("beneficiaries:household_detail", args=[registry_household.pk])
    page = client_for(user_kelurahan).get(url).content.decode()
    assert 'data-panel="card"' in page and card_code_display(registry_household.card_code) in page
    assert reverse("aid_distribution:household_card", args=[registry_household.pk]) in page
    assert reverse("aid_distribution:household_card_reissue", args=[registry_household.pk]) in page
    registry_household.members.update(is_active=False, removed_reason=1)
    type(registry_household).objects.filter(pk=registry_household.pk).update(is_active=False, removed_reason=1)
    page = client_for(user_kelurahan).get(url).content.decode()
    assert reverse("aid_distribution:household_card_reissue", args=[registry_household.pk]) not in page


def test_reissue_from_the_page_then_the_old_card_is_refused(
    client_for, user_kelurahan, worker_a, institution_a, registry_household
):
    round_ = DistributionRoundFactory(institution=institution_a, status=RoundStatus.DISTRIBUTING, name="Ganti")
    entitlement = round_.entitlements.create(household=registry_household)
    old_token, old_code = registry_household.card_token, registry_household.card_code
    reissue = reverse("aid_distribution:household_card_reissue", args=[registry_household.pk])
    response = client_for(user_kelurahan).post(reissue, {"reason": "Kartu hilang"}, follow=True)
    registry_household.refresh_from_db()
    assert registry_household.card_code != old_code
    assert card_code_display(registry_household.card_code) in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.CARD_REISSUE)
    assert event.detail["reason"] == "Kartu hilang" and event.ip_address == "127.0.0.1"

    worker = client_for(worker_a)
    lookup = reverse("aid_distribution:card_lookup", args=[round_.pk])
    assert worker.get(lookup, {"token": old_token}).status_code == 404
    refused = worker.get(lookup, {"code": old_code}, follow=True)
    assert "tidak terdaftar pada putaran ini" in refused.content.decode()
    new = worker.get(lookup, {"code": registry_household.card_code})
    assert new.status_code == 302 and f"/penerima/{entitlement.pk}/serahkan/" in new["Location"]
    api = api_for(worker_a)
    assert api.get(f"/api/v1/aid/rounds/{round_.pk}/card/", {"token": old_token}).status_code == 404
    assert api.get(f"/api/v1/aid/rounds/{round_.pk}/card/", {"code": old_code}).status_code == 400
    cards = api.get(f"/lapangan/api/putaran/{round_.pk}/kartu/").json()
    assert cards == [
        {
            "entitlement": entitlement.pk,
            "card_token": registry_household.card_token,
            "card_code": registry_household.card_code,
        }
    ]


def test_reissue_page_needs_reason_permission_and_scope(
    client_for, user_kelurahan, user_kelurahan_other, user_pimpinan, worker_a, registry_household
):
    url = reverse("aid_distribution:household_card_reissue", args=[registry_household.pk])
    code = registry_household.card_code
    response = client_for(user_kelurahan).post(url, {"reason": ""}, follow=True)
    assert "Alasan penggantian kartu wajib diisi." in response.content.decode()
    assert client_for(user_kelurahan_other).post(url, {"reason": "hilang"}).status_code == 404
    assert client_for(worker_a).post(url, {"reason": "hilang"}).status_code == 404
    assert client_for(user_pimpinan).post(url, {"reason": "hilang"}).status_code == 404
    registry_household.refresh_from_db()
    assert registry_household.card_code == code
    assert not AuditEvent.objects.filter(action=AuditAction.CARD_REISSUE).exists()


# --- Typed-code lookup ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [str.lower, card_code_display, lambda c: f" {c[:3]} {c[3:7]}-{c[7:]} "])
def test_typed_code_finds_the_household_in_this_round(client_for, worker_a, round_a, shape):
    entitlement = round_a.entitlements.select_related("household").first()
    url = reverse("aid_distribution:card_lookup", args=[round_a.pk])
    response = client_for(worker_a).get(url, {"code": shape(entitlement.household.card_code)})
    assert response.status_code == 302 and f"/penerima/{entitlement.pk}/serahkan/" in response["Location"]


def test_wrong_or_other_rounds_code_says_so_in_indonesian(client_for, worker_a, round_a, round_b):
    client = client_for(worker_a)
    url = reverse("aid_distribution:card_lookup", args=[round_a.pk])
    other = round_b.entitlements.select_related("household").first().household.card_code
    for typed, message in [
        (other, f"Kode kartu {card_code_display(other)} tidak terdaftar pada putaran ini."),
        ("ABCDE-1234", "“ABCDE-1234” bukan kode kartu: kode kartu terdiri dari 10 huruf dan angka"),
    ]:
        response = client.get(url, {"code": typed})
        assert response.status_code == 302 and response["Location"].endswith(f"/putaran/{round_a.pk}/penerima/")
        page = client.get(response["Location"]).content.decode()
        assert message in page.replace("&ldquo;", "“").replace("&rdquo;", "”").replace("&#x27;", "'"), typed


def test_page_offers_typing_the_code(client_for, worker_a, round_a):
    page = client_for(worker_a).get(reverse("aid_distribution:round_households", args=[round_a.pk]))
    assert 'name="code"' in page.content.decode() and "Ketik kode kartu" in page.content.decode()


def test_api_card_lookup_by_token_or_code_within_the_round(worker_a, worker_b, round_a, round_b):
    entitlement = round_a.entitlements.select_related("household").first()
    household = entitlement.household
    api = api_for(worker_a)
    url = f"/api/v1/aid/rounds/{round_a.pk}/card/"
    by_token = api.get(url, {"token": household.card_token})
    assert by_token.status_code == 200 and by_token.json()["id"] == entitlement.pk
    assert by_token.json()["card_code"] == household.card_code
    by_code = api.get(url, {"code": card_code_display(household.card_code).lower()})
    assert by_code.status_code == 200 and by_code.json()["id"] == entitlement.pk
    other = round_b.entitlements.select_related("household").first().household
    wrong = api.get(url, {"code": other.card_code})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "card_code_unknown" and "tidak terdaftar pada putaran ini" in wrong.json()["detail"]
    assert "code" in wrong.json()["fields"]
    malformed = api.get(url, {"code": "xx"})
    assert malformed.status_code == 400 and malformed.json()["code"] == "card_code_invalid"
    assert api.get(url).status_code == 404
    both = api.get(url, {"token": household.card_token, "code": household.card_code})
    assert both.status_code == 400 and both.json()["code"] == "card_both"
    assert api.get(url, {"token": other.card_token}).status_code == 404
    assert api_for(worker_b).get(url, {"token": household.card_token}).status_code == 404


def test_api_entitlements_carry_the_card_code(worker_a, round_a):
    rows = api_for(worker_a).get(f"/api/v1/aid/rounds/{round_a.pk}/entitlements/").json()["results"]
    codes = dict(round_a.entitlements.values_list("pk", "household__card_code"))
    assert {r["id"]: r["card_code"] for r in rows} == codes


def test_selector_refuses_both_token_and_code(worker_a, round_a):
    household = round_a.entitlements.first().household
    with pytest.raises(ValidationError, match="Pindai QR kartu atau ketik kode kartu, tidak keduanya"):
        selectors.entitlement_by_card(
            user=worker_a, round_=round_a, data={"token": household.card_token, "code": household.card_code}
        )


def test_reissued_code_is_not_found_by_the_old_one_within_the_round(worker_a, round_a, user_admin):
    entitlement = round_a.entitlements.select_related("household").first()
    old = entitlement.household.card_code
    services.household_card_reissue(actor=user_admin, household=entitlement.household, reason="rusak")
    with pytest.raises(ValidationError, match="tidak terdaftar pada putaran ini"):
        selectors.entitlement_by_card(user=worker_a, round_=round_a, data={"code": old})
