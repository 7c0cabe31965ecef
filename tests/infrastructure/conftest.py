import datetime as dt
from decimal import Decimal

import pytest

from infrastructure import services
from infrastructure.models import ProjectStatus
from tests.factories.infrastructure import ProjectFactory, photo_upload


@pytest.fixture
def project_keramasan(keramasan):
    """A bridge under construction in Keramasan with one report and one photo."""
    project = ProjectFactory(
        name="Jembatan Lorong Pinang", kind="jembatan", kelurahan_served=[keramasan], status=ProjectStatus.KONSTRUKSI
    )
    services.progress_update_create(
        project=project,
        actor=None,
        reported_on=dt.date(2025, 4, 1),
        physical_progress=Decimal(30),
        spent_cumulative=100_000_000,
        photos=[photo_upload()],
    )
    return project


@pytest.fixture
def project_kemang(kemang_agung):
    return ProjectFactory(name="Drainase Jalan Kemang", kind="drainase", kelurahan_served=[kemang_agung])
