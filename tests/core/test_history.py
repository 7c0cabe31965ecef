import pghistory.models
import pytest
from django.urls import reverse

from core.history import acting_as, events_for
from core.models import RT
from tests.factories.core import RTFactory


@pytest.mark.django_db
def test_queryset_update_is_recorded_with_acting_user(keramasan, user_admin):
    rts = RTFactory.create_batch(3, kelurahan=keramasan, rw=1)
    with acting_as(user_admin, command="uji"):
        changed = RT.objects.filter(pk__in=[rt.pk for rt in rts]).update(rw=7)
    assert changed == 3
    for rt in rts:
        update = events_for(rt).filter(pgh_label="update").get()
        assert update.pgh_data["rw"] == 7
        assert update.pgh_context["user"] == user_admin.pk
        assert update.pgh_context["command"] == "uji"


@pytest.mark.django_db
def test_delete_is_recorded(keramasan):
    rt = RTFactory(kelurahan=keramasan)
    pk = rt.pk
    rt.delete()
    assert pghistory.models.Events.objects.filter(
        pgh_obj_model="core.RT", pgh_obj_id=str(pk), pgh_label="delete"
    ).exists()


@pytest.mark.django_db
def test_admin_post_records_user_from_request(client_for, user_admin, keramasan):
    rt = RTFactory(kelurahan=keramasan, rw=1)
    url = reverse("admin:core_rt_change", args=[rt.pk])
    response = client_for(user_admin).post(
        url, {"kelurahan": keramasan.pk, "number": rt.number, "rw": 4, "is_active": "on"}
    )
    assert response.status_code == 302, response.content[:2000]
    update = events_for(rt).filter(pgh_label="update").get()
    assert update.pgh_context["user"] == user_admin.pk
    assert update.pgh_context["url"] == url
