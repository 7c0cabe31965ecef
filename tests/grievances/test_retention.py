import datetime

import pytest
from django.apps import apps
from django.utils import timezone

from core.tasks import anonymise_expired_records_task
from grievances import services
from grievances.models import Grievance
from tests.factories.grievances import GrievanceFactory


@pytest.mark.django_db
def test_closed_grievances_past_retention_lose_identity_also_in_history(keramasan):
    old = GrievanceFactory(kelurahan=keramasan, complainant_name="Siti Aminah", complainant_phone="081234567890")
    recent = GrievanceFactory(kelurahan=keramasan, complainant_name="Budi", complainant_phone="081200000000")
    now = timezone.now()
    Grievance.objects.filter(pk=old.pk).update(
        status="selesai", answer="Sudah ditangani", closed_at=now - datetime.timedelta(days=3 * 365)
    )
    Grievance.objects.filter(pk=recent.pk).update(
        status="selesai", answer="Sudah ditangani", closed_at=now - datetime.timedelta(days=30)
    )

    assert anonymise_expired_records_task.delay().get()["grievance_closed"] == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.complainant_name, old.complainant_phone, old.is_anonymous) == ("", "", True)
    assert recent.complainant_name == "Budi"
    event_model = apps.get_model("grievances", "GrievanceEvent")
    assert not event_model.objects.filter(pgh_obj_id=old.pk, complainant_name="Siti Aminah").exists()
    assert event_model.objects.filter(pgh_obj_id=recent.pk, complainant_name="Budi").exists()
    # Running again changes nothing.
    assert services.grievances_anonymise_expired() == 0


@pytest.mark.django_db
def test_open_grievances_are_never_anonymised(keramasan):
    GrievanceFactory(kelurahan=keramasan, complainant_name="Siti")
    assert services.grievances_anonymise_expired(now=timezone.now() + datetime.timedelta(days=3650)) == 0
