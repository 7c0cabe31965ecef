"""Delivery API: status codes, idempotency (R2), batches sent twice or cut off halfway (R3), scoping."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from aid_distribution.models import Delivery, RoundStatus, UndeliveredVisit
from tests.factories.aid_distribution import DistributionRoundFactory, entitled_household

pytestmark = pytest.mark.django_db

WHEN = "2026-11-20T09:15:00+07:00"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def payload(entitlement, **overrides):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "entitlement": entitlement.pk,
        "delivered_at": WHEN,
        "proxy_name": "Bu Rina",
        "proxy_relation": "tetangga",
    }
    data.update(overrides)
    return data


def test_token_login_and_open_rounds(client, worker_a, round_a, round_b):
    from tests.factories.accounts import PASSWORD

    response = client.post(reverse("api_token"), {"username": worker_a.username, "password": PASSWORD})
    assert response.status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    rounds = api.get("/api/v1/aid/rounds/").json()
    assert [r["id"] for r in rounds] == [round_a.pk]
    assert rounds[0]["entitled"] == 3


def test_entitlements_listing_masks_nik(worker_a, round_a):
    body = api_for(worker_a).get(f"/api/v1/aid/rounds/{round_a.pk}/entitlements/").json()
    assert len(body["results"]) == 3
    row = body["results"][0]
    assert "*" in row["head_nik_masked"] and len(row["members"]) == 1
    assert "nik" not in row["members"][0]


def test_single_delivery_created_replayed_and_conflicts(worker_a, round_a):
    api = api_for(worker_a)
    entitlement = round_a.entitlements.first()
    data = payload(entitlement)
    first = api.post("/api/v1/aid/deliveries/", data, format="json")
    assert first.status_code == 201, first.content
    again = api.post("/api/v1/aid/deliveries/", data, format="json")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    changed = api.post("/api/v1/aid/deliveries/", {**data, "notes": "beda"}, format="json")
    assert changed.status_code == 409 and changed.json()["code"] == "client_uuid_conflict"
    second = api.post("/api/v1/aid/deliveries/", payload(entitlement), format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "already_delivered"
    assert second.json()["delivered_by"] == worker_a.get_full_name()  # a name people recognise, not a login
    assert Delivery.objects.get().notes == ""


def test_single_delivery_field_errors_are_400(worker_a, round_a):
    api = api_for(worker_a)
    response = api.post("/api/v1/aid/deliveries/", {"entitlement": "x"}, format="json")
    assert response.status_code == 400
    assert {"client_uuid", "entitlement", "delivered_at"} <= set(response.json())
    missing_recipient = payload(round_a.entitlements.first(), proxy_name="")
    response = api.post("/api/v1/aid/deliveries/", missing_recipient, format="json")
    assert response.status_code == 400 and "recipient_member" in response.json()


def test_other_institution_gets_404(worker_b, round_a):
    api = api_for(worker_b)
    assert api.get(f"/api/v1/aid/rounds/{round_a.pk}/").status_code == 404
    assert api.get(f"/api/v1/aid/rounds/{round_a.pk}/entitlements/").status_code == 404
    response = api.post("/api/v1/aid/deliveries/", payload(round_a.entitlements.first()), format="json")
    assert response.status_code == 404
    batch = api.post(
        "/api/v1/aid/deliveries/batch/", {"items": [payload(round_a.entitlements.first())]}, format="json"
    ).json()
    assert batch["results"][0]["code"] == "not_found"
    assert not Delivery.objects.exists()


def test_anonymous_refused(round_a):
    assert APIClient().get("/api/v1/aid/rounds/").status_code in (401, 403)


def _batch_round(institution, n):
    round_ = DistributionRoundFactory(institution=institution, status=RoundStatus.DISTRIBUTING)
    return [entitled_household(round_) for _ in range(n)]


def test_batch_per_item_status_and_resend(worker_a, institution_a):
    entitlements = _batch_round(institution_a, 4)
    items = [payload(e) for e in entitlements[:3]]
    items.append({**payload(entitlements[3]), "kind": "undelivered", "reason": "not_home"})
    items.append({"client_uuid": "bukan-uuid", "entitlement": entitlements[0].pk})
    items.append(payload(entitlements[0]))  # second delivery for the same household, new uuid
    api = api_for(worker_a)
    first = api.post("/api/v1/aid/deliveries/batch/", {"items": items}, format="json").json()
    assert [r["status"] for r in first["results"]] == [
        "created",
        "created",
        "created",
        "created",
        "rejected",
        "rejected",
    ]
    assert first["results"][4]["code"] == "invalid"
    assert first["results"][5]["code"] == "already_delivered"
    again = api.post("/api/v1/aid/deliveries/batch/", {"items": items}, format="json").json()
    assert [r["status"] for r in again["results"]][:4] == ["duplicate"] * 4
    assert [r["id"] for r in again["results"][:4]] == [r["id"] for r in first["results"][:4]]
    assert Delivery.objects.count() == 3 and UndeliveredVisit.objects.count() == 1


def test_batch_cut_off_halfway_then_resent_equals_one_clean_send(worker_a, institution_a):
    entitlements = _batch_round(institution_a, 10)
    items = [payload(e) for e in entitlements]
    api = api_for(worker_a)
    api.post("/api/v1/aid/deliveries/batch/", {"items": items[:5]}, format="json")
    resent = api.post("/api/v1/aid/deliveries/batch/", {"items": items}, format="json").json()
    assert (resent["created"], resent["duplicate"], resent["rejected"]) == (5, 5, 0)
    assert Delivery.objects.count() == 10
    assert set(Delivery.objects.values_list("client_uuid", flat=True)) == {uuid.UUID(i["client_uuid"]) for i in items}


def test_batch_limit_is_500(worker_a, round_a):
    items = [payload(round_a.entitlements.first()) for _ in range(501)]
    response = api_for(worker_a).post("/api/v1/aid/deliveries/batch/", {"items": items}, format="json")
    assert response.status_code == 400


def test_batch_queries_grow_only_by_per_item_writes(worker_a, institution_a):
    """Lookups are done once per batch; each item costs only its own transaction (no N+1 reads)."""
    small, large = _batch_round(institution_a, 2), _batch_round(institution_a, 4)
    api = api_for(worker_a)
    with CaptureQueriesContext(connection) as small_ctx:
        api.post("/api/v1/aid/deliveries/batch/", {"items": [payload(e) for e in small]}, format="json")
    with CaptureQueriesContext(connection) as large_ctx:
        api.post("/api/v1/aid/deliveries/batch/", {"items": [payload(e) for e in large]}, format="json")
    per_item = (len(large_ctx.captured_queries) - len(small_ctx.captured_queries)) / 2
    assert per_item <= 6, "\n".join(q["sql"][:150] for q in large_ctx.captured_queries)


def test_schema_has_aid_paths(user_admin, client_for):
    response = client_for(user_admin).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/aid/deliveries/batch/" in text and "/api/v1/aid/rounds/{id}/entitlements/" in text


def test_delivered_at_is_required_in_the_past_or_now(worker_a, round_a):
    data = payload(round_a.entitlements.first(), delivered_at=timezone.now().isoformat())
    assert api_for(worker_a).post("/api/v1/aid/deliveries/", data, format="json").status_code == 201


def test_entitlements_carry_card_token_and_who_delivered(round_a, worker_a):
    api = api_for(worker_a)
    entitlement = round_a.entitlements.first()
    assert api.post("/api/v1/aid/deliveries/", payload(entitlement), format="json").status_code == 201
    rows = {r["id"]: r for r in api.get(f"/api/v1/aid/rounds/{round_a.pk}/entitlements/").json()["results"]}
    assert rows[entitlement.pk]["card_token"] == entitlement.household.card_token
    assert rows[entitlement.pk]["delivered_by"] == worker_a.get_full_name()
    assert all(r["delivered_by"] is None for pk, r in rows.items() if pk != entitlement.pk)
