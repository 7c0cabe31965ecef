"""Delivery photo upload (offline app): POST /api/v1/aid/deliveries/<client_uuid>/photo/."""

import io
import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image
from rest_framework.test import APIClient

from accounts.tokens import device_token_issue
from aid_distribution import services
from aid_distribution.models import Delivery

pytestmark = pytest.mark.django_db


def photo_url(client_uuid) -> str:
    return f"/api/v1/aid/deliveries/{client_uuid}/photo/"


def jpeg(name="foto.jpg", color=(200, 120, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def token_client(user) -> APIClient:
    _token, key = device_token_issue(actor=user, name="HP uji")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def record(worker, round_) -> Delivery:
    result = services.delivery_record(
        actor=worker,
        entitlement=round_.entitlements.first(),
        client_uuid=uuid.uuid4(),
        proxy_name="Bu Rina",
        proxy_relation="tetangga",
    )
    return result.delivery


def test_created_then_resend_keeps_the_first_photo(worker_a, round_a):
    delivery = record(worker_a, round_a)
    api = token_client(worker_a)

    first = api.post(photo_url(delivery.client_uuid), {"photo": jpeg()}, format="multipart")
    assert first.status_code == 201, first.content
    assert first.json() == {"id": delivery.pk, "client_uuid": str(delivery.client_uuid), "has_photo": True}
    delivery.refresh_from_db()
    stored_name = delivery.photo.name
    assert stored_name == f"aid/deliveries/{delivery.client_uuid}.jpg"
    with delivery.photo.open("rb") as handle:
        stored = handle.read()

    again = api.post(photo_url(delivery.client_uuid), {"photo": jpeg(color=(10, 10, 250))}, format="multipart")
    assert again.status_code == 200
    assert again.json() == first.json()
    delivery.refresh_from_db()
    assert delivery.photo.name == stored_name
    with delivery.photo.open("rb") as handle:
        assert handle.read() == stored
    directory, files = delivery.photo.storage.listdir("aid/deliveries")
    assert [f for f in files if f.startswith(str(delivery.client_uuid))] == [f"{delivery.client_uuid}.jpg"]


def test_other_institution_and_unknown_uuid_are_404(worker_a, worker_b, round_a, round_b):
    delivery = record(worker_a, round_a)
    other = token_client(worker_b)
    assert other.post(photo_url(delivery.client_uuid), {"photo": jpeg()}, format="multipart").status_code == 404
    assert other.post(photo_url(uuid.uuid4()), {"photo": jpeg()}, format="multipart").status_code == 404
    delivery.refresh_from_db()
    assert not delivery.photo


def test_text_file_named_jpg_is_refused(worker_a, round_a):
    delivery = record(worker_a, round_a)
    fake = SimpleUploadedFile("foto.jpg", b"bukan gambar, hanya teks", content_type="image/jpeg")
    response = token_client(worker_a).post(photo_url(delivery.client_uuid), {"photo": fake}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"]["photo"] == ["Berkas bukan gambar."]
    assert response.json()["detail"] == "Berkas bukan gambar."
    delivery.refresh_from_db()
    assert not delivery.photo


def test_oversized_image_is_refused(worker_a, round_a, monkeypatch):
    monkeypatch.setattr("aid_distribution.photos.MAX_PHOTO_BYTES", 100)
    delivery = record(worker_a, round_a)
    response = token_client(worker_a).post(photo_url(delivery.client_uuid), {"photo": jpeg()}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"]["photo"] == ["Foto terlalu besar (maksimal 5 MB)."]
    delivery.refresh_from_db()
    assert not delivery.photo


def test_missing_photo_field_is_400(worker_a, round_a):
    delivery = record(worker_a, round_a)
    response = token_client(worker_a).post(photo_url(delivery.client_uuid), {}, format="multipart")
    assert response.status_code == 400
    assert "photo" in response.json()["fields"]


def test_without_token_is_401(worker_a, round_a):
    delivery = record(worker_a, round_a)
    response = APIClient().post(photo_url(delivery.client_uuid), {"photo": jpeg()}, format="multipart")
    assert response.status_code == 401


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_store_one_photo(worker_a, round_a):
    delivery = record(worker_a, round_a)
    barrier = threading.Barrier(2)
    results = []

    def upload(color):
        try:
            barrier.wait(timeout=10)
            result = services.delivery_attach_photo(actor=worker_a, delivery=delivery, photo=jpeg(color=color))
            results.append(result.created)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(c,)) for c in ((255, 0, 0), (0, 0, 255))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    delivery.refresh_from_db()
    _directory, files = delivery.photo.storage.listdir("aid/deliveries")
    assert [f for f in files if f.startswith(str(delivery.client_uuid))] == [f"{delivery.client_uuid}.jpg"]
