"""Deterministic factories for infrastructure projects, progress reports and photos."""

import datetime as dt
import io
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from infrastructure import services
from infrastructure.models import FundingSource, InfrastructureProject, ProgressUpdate, ProjectKind, ProjectStatus
from tests.factories.core import kelurahan

STATUS_PATH = [
    ProjectStatus.DIRENCANAKAN,
    ProjectStatus.TENDER,
    ProjectStatus.KONSTRUKSI,
    ProjectStatus.SELESAI,
    ProjectStatus.DISERAHTERIMAKAN,
]


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project created through the service (as a proposal); `status=` walks it along the lifecycle."""

    class Meta:
        model = InfrastructureProject

    name = factory.Sequence(lambda n: f"Pembangunan Jalan Lorong {n}")
    kind = ProjectKind.JALAN
    fiscal_year = 2025
    budget = 500_000_000
    funding_source = FundingSource.APBD_KOTA
    contractor = "CV Musi Jaya"
    contract_number = factory.Sequence(lambda n: f"602/{n:03d}/PUPR/2025")
    planned_start_on = dt.date(2025, 3, 1)
    planned_end_on = dt.date(2025, 8, 31)
    latitude = Decimal("-3.010000")
    longitude = Decimal("104.720000")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        served = kwargs.pop("kelurahan_served", None) or [kelurahan("Keramasan")]
        rts = kwargs.pop("rts", ())
        status = kwargs.pop("status", ProjectStatus.USULAN)
        actor = kwargs.pop("actor", None)
        project = services.project_create(actor=actor, kelurahan_served=served, rts=rts, **kwargs)
        return walk_to(project, status)


def walk_to(project: InfrastructureProject, status: str, *, on: dt.date = dt.date(2025, 3, 1)):
    """Moves a project through the lifecycle (via the services) until it reaches `status`."""
    if status == ProjectStatus.USULAN:
        return project
    if status == ProjectStatus.DIHENTIKAN:
        return services.project_transition(
            project=project, actor=None, to_status=status, changed_on=on, halt_reason="Lahan belum dibebaskan"
        )
    for step in STATUS_PATH:
        if (
            step == ProjectStatus.SELESAI
            and not ProgressUpdate.objects.filter(project=project, physical_progress=100).exists()
        ):
            services.progress_update_create(
                project=project,
                actor=None,
                reported_on=on + dt.timedelta(days=30),
                physical_progress=Decimal(100),
                spent_cumulative=project.budget,
            )
        changed_on = (
            on if step not in (ProjectStatus.SELESAI, ProjectStatus.DISERAHTERIMAKAN) else on + dt.timedelta(days=31)
        )
        project = services.project_transition(project=project, actor=None, to_status=step, changed_on=changed_on)
        if step == status:
            break
    return project


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 80, 40), exif=None) -> bytes:
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, color).save(out, format=fmt, **kwargs)
    return out.getvalue()


def photo_upload(name: str = "foto.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")
