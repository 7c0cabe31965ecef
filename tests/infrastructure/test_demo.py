import pytest

from infrastructure import demo
from infrastructure.models import InfrastructureProject, ProjectStatus

pytestmark = pytest.mark.django_db


def test_demo_seed_covers_every_status_and_kelurahan_and_is_idempotent():
    messages = []
    demo.seed(log=messages.append)
    count = InfrastructureProject.objects.count()
    assert set(InfrastructureProject.objects.values_list("status", flat=True)) == set(ProjectStatus.values)
    served = set(InfrastructureProject.kelurahan_served.through.objects.values_list("kelurahan__name", flat=True))
    assert len(served) == 6
    bridge = InfrastructureProject.objects.get(name=demo.BRIDGE)
    assert bridge.status == ProjectStatus.DISERAHTERIMAKAN
    assert bridge.progress_updates.count() >= 4
    assert all(u.photos.count() == 1 for u in bridge.progress_updates.all())
    assert [c.to_status for c in bridge.status_changes.all()][0] == ProjectStatus.USULAN
    demo.seed(log=messages.append)
    assert InfrastructureProject.objects.count() == count
