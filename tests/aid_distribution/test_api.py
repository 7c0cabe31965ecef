"""Delivery API: status codes, idempotency (R2), batches sent twice or cut off halfway (R3), scoping."""

import datetime
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from aid_distribution.models import Delivery, RoundStatus, UndeliveredVisit
from core.history import events_for
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
    assert "*" in row["head_nik_masked"]
    assert len(row["members"]) == 1
    assert "nik" not in row["members"][0]


def test_single_delivery_created_replayed_and_conflicts(worker_a, round_a):
    api = api_for(worker_a)
    entitlement = round_a.entitlements.first()
    data = payload(entitlement)
    first = api.post("/api/v1/aid/deliveries/", data, format="json")
    assert first.status_code == 201, first.content
    again = api.post("/api/v1/aid/deliveries/", data, format="json")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    changed = api.post("/api/v1/aid/deliveries/", {**data, "notes": "beda"}, format="json")
    assert changed.status_code == 409
    assert changed.json()["code"] == "client_uuid_conflict"
    second = api.post("/api/v1/aid/deliveries/", payload(entitlement), format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "already_delivered"
    assert second.json()["delivered_by"] == worker_a.get_full_name()  # a name people recognise, not a login
    delivered_at = Delivery.objects.get().delivered_at
    assert datetime.datetime.fromisoformat(second.json()["delivered_at"]) == delivered_at
    assert isinstance(second.json()["detail"], str)
    assert "fields" not in second.json()
    assert Delivery.objects.get().notes == ""


def test_single_delivery_field_errors_are_400(worker_a, round_a):
    api = api_for(worker_a)
    response = api.post("/api/v1/aid/deliveries/", {"entitlement": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert isinstance(response.json()["detail"], str)
    assert {"client_uuid", "entitlement", "delivered_at"} <= set(response.json()["fields"])
    missing_recipient = payload(round_a.entitlements.first(), proxy_name="")
    response = api.post("/api/v1/aid/deliveries/", missing_recipient, format="json")
    assert response.status_code == 400
    assert "recipient_member" in response.json()["fields"]


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
    assert set(first["results"][4]["fields"]) == {"client_uuid", "delivered_at"}
    assert first["results"][5]["code"] == "already_delivered"
    assert first["results"][5]["delivered_by"] == worker_a.get_full_name()
    assert all(isinstance(r["detail"], str) for r in first["results"][4:])
    again = api.post("/api/v1/aid/deliveries/batch/", {"items": items}, format="json").json()
    assert [r["status"] for r in again["results"]][:4] == ["duplicate"] * 4
    assert [r["id"] for r in again["results"][:4]] == [r["id"] for r in first["results"][:4]]
    assert Delivery.objects.count() == 3
    assert UndeliveredVisit.objects.count() == 1


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


def test_batch_queries_do_not_grow_with_its_items(worker_a, institution_a):
    """Lookups are done once per batch and independent deliveries go in with one INSERT (P6: 500 in ≤ 5 s)."""
    small, large = _batch_round(institution_a, 2), _batch_round(institution_a, 6)
    with CaptureQueriesContext(connection) as small_ctx:
        api_for(worker_a).post("/api/v1/aid/deliveries/batch/", {"items": [payload(e) for e in small]}, format="json")
    api = api_for(type(worker_a).objects.get(pk=worker_a.pk))  # a fresh request: nothing cached on the user
    with CaptureQueriesContext(connection) as large_ctx:
        body = api.post("/api/v1/aid/deliveries/batch/", {"items": [payload(e) for e in large]}, format="json")
    assert body.json()["created"] == 6
    assert len(large_ctx.captured_queries) == len(small_ctx.captured_queries), "\n".join(
        q["sql"][:150] for q in large_ctx.captured_queries
    )


def test_batch_deliveries_keep_their_audit_history(worker_a, institution_a):
    entitlements = _batch_round(institution_a, 3)
    api_for(worker_a).post(
        "/api/v1/aid/deliveries/batch/", {"items": [payload(e) for e in entitlements]}, format="json"
    )
    for delivery in Delivery.objects.all():
        (event,) = events_for(delivery)
        assert event.pgh_label == "insert"
        assert event.pgh_data["client_uuid"] == str(delivery.client_uuid)


@pytest.fixture
def crowded_round(worker_a, institution_a):
    """Four entitlements; the first already delivered (uuid `U`), the second already visited (uuid `V`)."""
    entitlements = _batch_round(institution_a, 4)
    api = api_for(worker_a)
    done = payload(entitlements[0], client_uuid=str(uuid.UUID(int=1)))
    visited = {
        **payload(entitlements[1], client_uuid=str(uuid.UUID(int=2))),
        "kind": "undelivered",
        "reason": "not_home",
    }
    api.post("/api/v1/aid/deliveries/batch/", {"items": [done, visited]}, format="json")
    return entitlements


_item = st.tuples(
    st.integers(1, 5),  # client_uuid: 1 and 2 are the recorded ones, 3–5 new
    st.integers(0, 3),  # which entitlement
    st.sampled_from(["delivered", "delivered", "undelivered"]),
    st.sampled_from(["", "beda"]),  # notes: a resend with other content is a conflict
)


def _state():
    deliveries = set(Delivery.objects.values_list("entitlement_id", "client_uuid", "notes"))
    visits = set(UndeliveredVisit.objects.values_list("entitlement_id", "client_uuid", "notes"))
    return deliveries, visits


def _outcomes(body):
    return [(r["status"], r.get("code")) for r in body["results"]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(_item, min_size=1, max_size=8))
def test_a_batch_ends_as_its_items_sent_one_by_one(worker_a, crowded_round, items):
    """Whatever the mix (repeated uuids or households, visits, resends, conflicts with what is recorded), one
    batch gives each item the outcome, and leaves the records, of sending the items one at a time in order."""
    api = api_for(worker_a)
    batch = []
    for number, which, kind, notes in items:
        item = payload(crowded_round[which], client_uuid=str(uuid.UUID(int=number)), notes=notes)
        batch.append({**item, "kind": "undelivered", "reason": "not_home"} if kind == "undelivered" else item)
    # Each way runs in a savepoint that is rolled back, so that both start from the same records.
    with transaction.atomic():
        one_by_one = [
            _outcomes(api.post("/api/v1/aid/deliveries/batch/", {"items": [item]}, format="json").json())[0]
            for item in batch
        ]
        expected_state = _state()
        transaction.set_rollback(True)
    with transaction.atomic():
        together = _outcomes(api.post("/api/v1/aid/deliveries/batch/", {"items": batch}, format="json").json())
        together_state = _state()
        transaction.set_rollback(True)
    assert together == one_by_one
    assert together_state == expected_state


def test_schema_has_aid_paths(user_admin, client_for):
    response = client_for(user_admin).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/aid/deliveries/batch/" in text
    assert "/api/v1/aid/rounds/{id}/entitlements/" in text


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


def _without_item_keys(result: dict) -> dict:
    return {key: value for key, value in result.items() if key not in ("index", "client_uuid", "status")}


def test_batch_item_errors_are_the_bodies_of_the_single_endpoint(worker_a, round_a, user_kecamatan):
    """One builder (core.api.error_body): a refused item carries what the single endpoint answers for it."""
    entitlement = round_a.entitlements.first()
    api = api_for(worker_a)
    assert api.post("/api/v1/aid/deliveries/", payload(entitlement), format="json").status_code == 201
    cases = [
        (api, payload(entitlement), 409),  # already delivered
        (api, payload(round_a.entitlements.last(), proxy_name=""), 400),  # no recipient
        (api_for(user_kecamatan), payload(round_a.entitlements.last()), 403),  # sees the round, is no worker
    ]
    for client, item, status in cases:
        single = client.post("/api/v1/aid/deliveries/", item, format="json")
        assert single.status_code == status, single.content
        (result,) = client.post("/api/v1/aid/deliveries/batch/", {"items": [item]}, format="json").json()["results"]
        assert result["status"] == "rejected"
        assert _without_item_keys(result) == single.json(), status
    assert _without_item_keys(result)["code"] == "permission_denied"


def test_batch_item_of_an_unknown_entitlement_is_not_found_in_the_one_shape(worker_a, round_a):
    item = {**payload(round_a.entitlements.first()), "entitlement": 999_999}
    (result,) = (
        api_for(worker_a).post("/api/v1/aid/deliveries/batch/", {"items": [item]}, format="json").json()["results"]
    )
    assert _without_item_keys(result) == {"code": "not_found", "detail": "Hak penerima tidak ditemukan."}


def test_schema_answers_errors_with_the_one_error_serializer(user_admin, client_for):
    schema = client_for(user_admin).get("/api/schema/?format=json").json()
    post = schema["paths"]["/api/v1/aid/deliveries/"]["post"]["responses"]
    refs = {code: post[code]["content"]["application/json"]["schema"]["$ref"] for code in ("400", "403", "404", "409")}
    assert refs["400"] == refs["403"] == refs["404"] == "#/components/schemas/Error"
    conflict = schema["components"]["schemas"][refs["409"].rsplit("/", 1)[1]]
    assert {"code", "detail", "delivered_by", "delivered_at"} <= set(conflict["properties"])
