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


@pytest.mark.django_db(transaction=True)
def test_contexts_change_within_one_transaction(keramasan, user_admin, user_kecamatan):
    """core.pgfunctions attaches a context once per transaction and context: a second context, or new metadata
    in a nested one, must still reach the events written after it."""
    from django.db import transaction

    rt = RTFactory(kelurahan=keramasan, rw=1)
    with transaction.atomic():
        with acting_as(user_admin, command="pertama"):
            RT.objects.filter(pk=rt.pk).update(rw=2)
            with pghistory.context(step="bertingkat"):
                RT.objects.filter(pk=rt.pk).update(rw=3)
        with acting_as(user_kecamatan, command="kedua"):
            RT.objects.filter(pk=rt.pk).update(rw=4)
    contexts = {e.pgh_data["rw"]: e.pgh_context for e in events_for(rt).filter(pgh_label="update")}
    # (pghistory keeps one context row per outer context, so the nested metadata shows on both events)
    assert contexts[2]["user"] == user_admin.pk
    assert contexts[2]["command"] == "pertama"
    assert contexts[3]["step"] == "bertingkat"
    assert contexts[3]["user"] == user_admin.pk
    assert contexts[4] == {"user": user_kecamatan.pk, "command": "kedua"}


@pytest.mark.django_db
def test_history_functions_are_the_fast_ones_and_ignore_still_works(keramasan):
    """After migrate, the trigger helpers read settings without exception blocks (core.pgfunctions); ignoring a
    trigger through pgtrigger still skips it."""
    import pgtrigger
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT prosrc FROM pg_proc WHERE proname IN ('_pgtrigger_should_ignore', '_pgh_attach_context')"
        )
        sources = [row[0] for row in cursor.fetchall()]
    assert len(sources) == 2
    assert not any("EXCEPTION" in source for source in sources)
    rt = RTFactory(kelurahan=keramasan, rw=1)
    with pgtrigger.ignore("core.RT:update_update"):
        RT.objects.filter(pk=rt.pk).update(rw=5)
    RT.objects.filter(pk=rt.pk).update(rw=6)
    assert [e.pgh_data["rw"] for e in events_for(rt).filter(pgh_label="update")] == [6]
