"""Reads on infrastructure projects, always from `visible_to(user)`: out of scope and missing are the same 404."""

from django.db.models import Count, Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from infrastructure.models import Connection, InfrastructureProject, ProgressPhoto, ProgressUpdate, ProjectStatus

VIEW_PERMISSION = "infrastructure.view_infrastructureproject"
PANEL_LIMIT = 5


def project_list(*, user):
    return (
        InfrastructureProject.objects.visible_to(user)
        .with_progress()
        .prefetch_related("kelurahan_served")
        .order_by("-fiscal_year", "name", "pk")
    )


def project_get_for_user(*, user, pk: int) -> InfrastructureProject:
    try:
        return InfrastructureProject.objects.visible_to(user).with_progress().get(pk=pk)
    except InfrastructureProject.DoesNotExist:
        raise Http404("not found")


def project_detail(*, user, pk: int) -> dict:
    """The project with its reports (newest first, photos included), status moves and schedule figures."""
    project = project_get_for_user(user=user, pk=pk)
    updates = list(
        ProgressUpdate.objects.filter(project=project)
        .select_related("reported_by")
        .prefetch_related(Prefetch("photos", queryset=ProgressPhoto.objects.order_by("pk")))
        .order_by("-reported_on", "-pk")
    )
    for update in updates:
        update.project = project  # is_over_budget reads the budget without another query
    kelurahan = list(project.kelurahan_served.all())
    rts = list(project.rts.select_related("kelurahan"))
    changes = list(project.status_changes.select_related("changed_by").order_by("pk"))
    today = timezone.localdate()
    latest = updates[0] if updates else None
    return {
        "project": project,
        "updates": updates,
        "kelurahan": kelurahan,
        "rts": rts,
        "status_changes": changes,
        "connects_labels": [str(Connection(c).label) for c in project.connects if c in Connection.values],
        "latest": latest,
        "delay_days": project.delay_days(today),
        "start_delay_days": project.start_delay_days(),
        "is_over_budget": bool(latest and latest.spent_cumulative > project.budget),
        "spent_percent": (latest.spent_cumulative * 100 / project.budget) if latest and project.budget else None,
        "map_data": [map_feature(project, kelurahan_names=[k.name for k in kelurahan])] if project.has_location else [],
    }


def map_feature(project: InfrastructureProject, *, kelurahan_names: list[str]) -> dict:
    """What the map script needs about one project (serialised with json_script, so escaping is automatic)."""
    latitude, longitude = project.latitude, project.longitude  # both or neither (InfrastructureProject.clean)
    latest_progress = getattr(project, "latest_progress", None)  # annotated by with_progress()
    return {
        "id": project.pk,
        "name": project.name,
        "kind": project.kind,
        "kind_label": str(project.get_kind_display()),
        "status": project.status,
        "status_label": str(project.get_status_display()),
        "point": [float(latitude), float(longitude)] if latitude is not None and longitude is not None else None,
        "route": project.route or [],
        "progress": float(latest_progress) if latest_progress is not None else None,
        "is_delayed": project.is_delayed,
        "kelurahan": ", ".join(kelurahan_names),
        "url": reverse("infrastructure:project_detail", args=[project.pk]),
    }


def project_map_data(*, queryset) -> list[dict]:
    """Map features of the projects that have a location (one query plus one for their kelurahan)."""
    projects = queryset.exclude(latitude__isnull=True, route=[]).prefetch_related("kelurahan_served").order_by("pk")
    return [
        map_feature(project, kelurahan_names=[k.name for k in project.kelurahan_served.all()]) for project in projects
    ]


def attention_list(*, user, limit: int = 20) -> list[InfrastructureProject]:
    return list(
        InfrastructureProject.objects.visible_to(user)
        .filter(is_delayed=True)
        .with_progress()
        .order_by("planned_end_on", "pk")[:limit]
    )


def photo_get_for_user(*, user, pk: int) -> ProgressPhoto:
    visible = InfrastructureProject.objects.visible_to(user).values("pk")
    try:
        return ProgressPhoto.objects.select_related("update").get(pk=pk, update__project__in=visible)
    except ProgressPhoto.DoesNotExist:
        raise Http404("not found")


def latest_photo(project: InfrastructureProject) -> ProgressPhoto | None:
    return ProgressPhoto.objects.filter(update__project=project).order_by("-update__reported_on", "-pk").first()


# Contributions to other pages (registered in apps.py)


def household_panel(viewer, household) -> dict | None:
    """Projects serving the household's kelurahan, for the household page (no import of beneficiaries)."""
    if not viewer.has_perm(VIEW_PERMISSION):
        return None
    kelurahan_id = getattr(household, "kelurahan_id", None)
    if kelurahan_id is None:
        return None
    projects = list(
        InfrastructureProject.objects.visible_to(viewer)
        .serving(kelurahan_id)
        .exclude(status=ProjectStatus.DIHENTIKAN)
        .with_progress()
        .order_by("-fiscal_year", "name", "pk")[: PANEL_LIMIT + 1]
    )
    return {"projects": projects[:PANEL_LIMIT], "has_more": len(projects) > PANEL_LIMIT, "kelurahan_id": kelurahan_id}


def count_projects_per_kelurahan(user) -> dict | None:
    """Home page figure: projects serving each kelurahan, in one grouped query."""
    if not user.has_perm(VIEW_PERMISSION):
        return None
    through = InfrastructureProject.kelurahan_served.through
    visible = InfrastructureProject.objects.visible_to(user).values("pk")
    rows = (
        through.objects.filter(infrastructureproject_id__in=visible)
        .values("kelurahan_id")
        .annotate(n=Count("infrastructureproject_id", distinct=True))
        .order_by()
    )
    return {row["kelurahan_id"]: row["n"] for row in rows}
