"""docs/quality.md R1/R2 with real threads and a real database: each thread has its own connection."""

import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from aid_distribution import services
from aid_distribution.models import Delivery, Entitlement, RoundStatus
from tests.factories.aid_distribution import DistributionRoundFactory, InstitutionFactory, entitled_household, worker_of

THREADS = 20


def _burst(target):
    """Runs target(i) in THREADS threads released together; returns each thread's result or exception."""
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def run(i):
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def setup(transactional_db):
    institution = InstitutionFactory()
    workers = [worker_of(institution) for _ in range(THREADS)]
    round_ = DistributionRoundFactory(institution=institution, status=RoundStatus.DISTRIBUTING)
    entitlement = entitled_household(round_)
    return workers, entitlement


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_deliveries_make_exactly_one(setup):
    workers, entitlement = setup
    when = timezone.now().replace(microsecond=0)

    def deliver(i):
        fresh = Entitlement.objects.select_related("round").get(pk=entitlement.pk)
        return services.delivery_record(
            actor=workers[i],
            entitlement=fresh,
            client_uuid=uuid.uuid4(),
            delivered_at=when,
            proxy_name=f"Kuasa {i}",
            proxy_relation="tetangga",
        )

    results = _burst(deliver)
    created = [r for r in results if isinstance(r, services.DeliveryResult)]
    refused = [r for r in results if isinstance(r, services.DeliveryConflict)]
    assert len(created) == 1, results
    assert len(refused) == THREADS - 1, results
    winner = created[0].delivery
    assert all(r.code == "already_delivered" and r.delivery.pk == winner.pk for r in refused)
    assert all("sudah diserahkan oleh" in r.messages[0] for r in refused)
    assert Delivery.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_replays_of_one_uuid(setup):
    workers, entitlement = setup
    when = timezone.now().replace(microsecond=0)
    device_id = uuid.uuid4()
    worker = workers[0]

    def replay(i):
        fresh = Entitlement.objects.select_related("round").get(pk=entitlement.pk)
        return services.delivery_record(
            actor=worker,
            entitlement=fresh,
            client_uuid=device_id,
            delivered_at=when,
            proxy_name="Bu Rina",
            proxy_relation="tetangga",
        )

    results = _burst(replay)
    assert all(isinstance(r, services.DeliveryResult) for r in results), results
    assert sum(r.created for r in results) == 1
    assert {r.delivery.pk for r in results} == {Delivery.objects.get().pk}
