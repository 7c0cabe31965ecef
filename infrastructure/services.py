"""Writes on infrastructure projects: creation, edits, guarded status moves, progress reports, delay flags.

Every service takes `actor=` and checks the actor's permission and kelurahan scope itself (docs/conventions.md).
`actor=None` is the system (the demo loader, a management command): it writes without a user, as the daily delay
task does; a view always passes `request.user`.
"""

import contextlib
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infrastructure import photos as photo_rules
from infrastructure.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    STATUS_TRANSITIONS,
    FundingSource,
    InfrastructureProject,
    ProgressPhoto,
    ProgressUpdate,
    ProjectStatus,
    ProjectStatusChange,
)

#: Fields a project form may change; status, flags and audit fields change only through their own services.
EDITABLE_FIELDS = (
    "name",
    "kind",
    "description",
    "fiscal_year",
    "latitude",
    "longitude",
    "route",
    "size_value",
    "size_unit",
    "budget",
    "funding_source",
    "contractor",
    "contract_number",
    "planned_start_on",
    "planned_end_on",
    "actual_start_on",
    "actual_end_on",
    "connects",
    "households_served",
)
ADD_PERMISSION = "infrastructure.add_infrastructureproject"
CHANGE_PERMISSION = "infrastructure.change_infrastructureproject"
CHANGE_STATUS_PERMISSION = "infrastructure.change_status_infrastructureproject"
ADD_PROGRESS_PERMISSION = "infrastructure.add_progressupdate"
#: Progress is "behind plan" when it trails a straight line from planned start to planned end by more than this.
BEHIND_PLAN_POINTS = Decimal(20)


def _fmt(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def _pct(value) -> str:
    """45.50 -> "45,5" (Indonesian decimal comma, no trailing zeros)."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("Anda tidak berwenang melakukan tindakan ini."))


def _locked(actor, project: InfrastructureProject, perm: str) -> InfrastructureProject:
    """The project, locked, if the actor may act on it; a project outside the actor's scope is "not found"."""
    _require(actor, perm)
    projects = InfrastructureProject.objects.all() if actor is None else InfrastructureProject.objects.visible_to(actor)
    try:
        return projects.select_for_update(of=("self",)).get(pk=project.pk)
    except InfrastructureProject.DoesNotExist:
        raise ValidationError(_("Proyek tidak ditemukan atau di luar wewenang Anda."), code="not_visible")


def _check_scope(actor, kelurahan_served: Sequence) -> None:
    scope = actor.kelurahan_scope() if actor is not None else None
    if scope is None:
        return
    outside = [str(k) for k in kelurahan_served if getattr(k, "pk", k) not in scope]
    if outside:
        raise ValidationError(
            {
                "kelurahan_served": _("Kelurahan berikut di luar wilayah tugas Anda: %(names)s.")
                % {"names": ", ".join(sorted(outside))}
            },
            code="out_of_scope",
        )


def check_served(*, kelurahan_served: Sequence, rts: Iterable) -> None:
    if not kelurahan_served:
        raise ValidationError(
            {"kelurahan_served": _("Pilih paling sedikit satu kelurahan yang dilayani.")}, code="no_kelurahan"
        )
    served_ids = {getattr(k, "pk", k) for k in kelurahan_served}
    stray = [str(rt) for rt in rts if rt.kelurahan_id not in served_ids]
    if stray:
        raise ValidationError(
            {
                "rts": _("RT berikut tidak berada di kelurahan yang dilayani: %(rts)s.")
                % {"rts": ", ".join(sorted(stray))}
            },
            code="rt_outside_kelurahan",
        )


@transaction.atomic
def project_create(
    *, actor, kelurahan_served: Sequence, rts: Sequence = (), proposed_on: dt.date | None = None, **fields
) -> InfrastructureProject:
    """Registers a project as a proposal (usulan); later stages are reached through `project_transition`."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"project_create() got unexpected fields: {sorted(unknown)}")
    _require(actor, ADD_PERMISSION)
    _check_scope(actor, kelurahan_served)
    project = InfrastructureProject(**fields, created_by=actor)
    if project.route is None:
        project.route = []
    if project.connects is None:
        project.connects = []
    project.full_clean()
    check_served(kelurahan_served=kelurahan_served, rts=rts)
    project.save()
    project.kelurahan_served.set(kelurahan_served)
    project.rts.set(rts)
    ProjectStatusChange.objects.create(
        project=project,
        from_status="",
        to_status=ProjectStatus.USULAN,
        changed_on=proposed_on or timezone.localdate(),
        note=_("Proyek dicatat."),
        changed_by=actor,
    )
    return project


@transaction.atomic
def project_update(*, actor, project: InfrastructureProject, data: dict) -> InfrastructureProject:
    """Applies the editable fields in `data` (and `kelurahan_served`, `rts` when present); the status, the delay
    flag and the audit fields change only through their own services."""
    unknown = set(data) - {*EDITABLE_FIELDS, "kelurahan_served", "rts"}
    if unknown:
        raise TypeError(f"project_update() got unexpected fields: {sorted(unknown)}")
    project = _locked(actor, project, CHANGE_PERMISSION)
    changes = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
    kelurahan_served = data.get("kelurahan_served")
    rts = data.get("rts")
    for field, value in changes.items():
        setattr(project, field, value)
    if project.route is None:
        project.route = []
    if project.connects is None:
        project.connects = []
    project.full_clean()
    served = list(kelurahan_served) if kelurahan_served is not None else list(project.kelurahan_served.all())
    chosen_rts = list(rts) if rts is not None else list(project.rts.all())
    check_served(kelurahan_served=served, rts=chosen_rts)
    if kelurahan_served is not None:
        _check_scope(actor, served)
    project.save(update_fields=[*changes, "updated_at"] if changes else ["updated_at"])
    if kelurahan_served is not None:
        project.kelurahan_served.set(served)
    if rts is not None:
        project.rts.set(chosen_rts)
    return project


def latest_update(project: InfrastructureProject) -> ProgressUpdate | None:
    return project.progress_updates.order_by("-reported_on", "-pk").first()


def status_transition_errors(
    *, project: InfrastructureProject, to_status: str, changed_on: dt.date, halt_reason: str = ""
) -> dict[str, list[str]]:
    """Why `project` may not move to `to_status` now, by form field; empty when the move is allowed."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if to_status not in STATUS_TRANSITIONS.get(project.status, ()):
        allowed = ", ".join(str(ProjectStatus(s).label) for s in STATUS_TRANSITIONS.get(project.status, ()))
        add(
            "to_status",
            _("Status “%(current)s” tidak dapat diubah menjadi “%(target)s”. %(allowed)s")
            % {
                "current": project.get_status_display(),
                "target": ProjectStatus(to_status).label if to_status in ProjectStatus.values else to_status,
                "allowed": _("Pilihan yang sah: %(list)s.") % {"list": allowed}
                if allowed
                else _("Status ini sudah final."),
            },
        )
        return errors
    if changed_on > timezone.localdate():
        add("changed_on", _("Tanggal perubahan status tidak boleh di masa depan."))
    if to_status == ProjectStatus.DIHENTIKAN and not halt_reason.strip():
        add("halt_reason", _("Tuliskan alasan proyek dihentikan."))
    if to_status == ProjectStatus.DIRENCANAKAN:
        if not project.planned_start_on or not project.planned_end_on:
            add("to_status", _("Isi rencana mulai dan rencana selesai proyek sebelum menjadikannya direncanakan."))
        if not project.budget:
            add("to_status", _("Isi pagu anggaran proyek sebelum menjadikannya direncanakan."))
    if to_status == ProjectStatus.KONSTRUKSI:
        if not project.contractor.strip():
            add("to_status", _("Isi pelaksana/kontraktor sebelum konstruksi dimulai."))
        if project.funding_source != FundingSource.SWADAYA and not project.contract_number.strip():
            add("to_status", _("Isi nomor kontrak sebelum konstruksi dimulai."))
    if to_status == ProjectStatus.SELESAI:
        latest = latest_update(project)
        if latest is None or latest.physical_progress < 100:
            shown = latest.physical_progress if latest else 0
            add(
                "to_status",
                _("Proyek baru dapat dinyatakan selesai bila progres fisik terakhir 100%% (sekarang %(p)s%%).")
                % {"p": _pct(shown)},
            )
        if project.actual_start_on and changed_on < project.actual_start_on:
            add(
                "changed_on",
                _("Tanggal selesai (%(end)s) tidak boleh sebelum mulai aktual (%(start)s).")
                % {"end": _fmt(changed_on), "start": _fmt(project.actual_start_on)},
            )
    if to_status == ProjectStatus.DISERAHTERIMAKAN and project.actual_end_on and changed_on < project.actual_end_on:
        add(
            "changed_on",
            _("Tanggal serah terima (%(day)s) tidak boleh sebelum tanggal selesai (%(end)s).")
            % {"day": _fmt(changed_on), "end": _fmt(project.actual_end_on)},
        )
    return errors


@transaction.atomic
def project_transition(
    *,
    actor,
    project: InfrastructureProject,
    to_status: str,
    changed_on: dt.date | None = None,
    note: str = "",
    halt_reason: str = "",
) -> InfrastructureProject:
    """Moves a project one step along its lifecycle (or halts it), refusing any move the rules forbid."""
    project = _locked(actor, project, CHANGE_STATUS_PERMISSION)
    changed_on = changed_on or timezone.localdate()
    errors = status_transition_errors(
        project=project, to_status=to_status, changed_on=changed_on, halt_reason=halt_reason
    )
    if errors:
        raise ValidationError(errors, code="status_transition")
    from_status = project.status
    project.status = to_status
    update_fields = ["status", "updated_at"]
    if to_status == ProjectStatus.KONSTRUKSI and not project.actual_start_on:
        project.actual_start_on = changed_on
        update_fields.append("actual_start_on")
    if to_status == ProjectStatus.SELESAI:
        project.actual_end_on = changed_on
        update_fields.append("actual_end_on")
    if to_status == ProjectStatus.DISERAHTERIMAKAN:
        project.handed_over_on = changed_on
        update_fields.append("handed_over_on")
    if to_status == ProjectStatus.DIHENTIKAN:
        project.halt_reason = halt_reason.strip()
        update_fields.append("halt_reason")
    if to_status in FINISHED_STATUSES or to_status == ProjectStatus.DIHENTIKAN:
        # Finished or halted work is no longer "late"; the next run of the task would say the same.
        project.is_delayed, project.delay_reason = False, ""
        update_fields += ["is_delayed", "delay_reason"]
    project.full_clean()
    project.save(update_fields=update_fields)
    ProjectStatusChange.objects.create(
        project=project,
        from_status=from_status,
        to_status=to_status,
        changed_on=changed_on,
        note=(halt_reason if to_status == ProjectStatus.DIHENTIKAN else note).strip(),
        changed_by=actor,
    )
    return project


def progress_update_errors(
    *,
    project: InfrastructureProject,
    reported_on: dt.date,
    physical_progress: Decimal,
    spent_cumulative: int,
    regression_reason: str,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if project.status != ProjectStatus.KONSTRUKSI:
        add(
            "__all__",
            _("Laporan kemajuan hanya dapat ditambahkan saat proyek berstatus Konstruksi (sekarang: %(s)s).")
            % {"s": project.get_status_display()},
        )
    if physical_progress is None or not (0 <= physical_progress <= 100):
        add(
            "physical_progress",
            _("Progres fisik harus antara 0 dan 100%% (diisi %(p)s%%).")
            % {"p": _pct(physical_progress) if physical_progress is not None else "-"},
        )
    if spent_cumulative is None or spent_cumulative < 0:
        add("spent_cumulative", _("Realisasi anggaran tidak boleh negatif."))
    if reported_on > timezone.localdate():
        add("reported_on", _("Tanggal laporan tidak boleh di masa depan."))
    if project.actual_start_on and reported_on < project.actual_start_on:
        add(
            "reported_on",
            _("Tanggal laporan tidak boleh sebelum mulai aktual proyek (%(d)s).")
            % {"d": _fmt(project.actual_start_on)},
        )
    previous = latest_update(project)
    if previous is not None and not errors.get("physical_progress"):
        if reported_on < previous.reported_on:
            add(
                "reported_on",
                _("Tanggal laporan tidak boleh sebelum laporan terakhir (%(d)s).") % {"d": _fmt(previous.reported_on)},
            )
        elif reported_on == previous.reported_on:
            add(
                "reported_on",
                _("Sudah ada laporan kemajuan proyek ini untuk tanggal %(d)s.") % {"d": _fmt(reported_on)},
            )
        went_back = []
        if physical_progress < previous.physical_progress:
            went_back.append(
                _("progres fisik turun dari %(a)s%% ke %(b)s%%")
                % {"a": _pct(previous.physical_progress), "b": _pct(physical_progress)}
            )
        if spent_cumulative is not None and spent_cumulative < previous.spent_cumulative:
            went_back.append(_("realisasi kumulatif lebih kecil dari laporan sebelumnya"))
        if went_back and not regression_reason.strip():
            add(
                "regression_reason",
                _("Tuliskan alasannya: %(what)s.") % {"what": "; ".join(str(w) for w in went_back)},
            )
    return errors


@transaction.atomic
def progress_update_create(
    *,
    actor,
    project: InfrastructureProject,
    reported_on: dt.date,
    physical_progress: Decimal,
    spent_cumulative: int,
    note: str = "",
    regression_reason: str = "",
    photos: Sequence = (),
    keep_gps: bool = False,
) -> ProgressUpdate:
    """Records a field report with its photos, all or nothing.

    Spending above the budget is allowed (an addendum may follow) but the report then shows as over budget.
    """
    project = _locked(actor, project, ADD_PROGRESS_PERMISSION)
    physical_progress = Decimal(physical_progress)
    errors = progress_update_errors(
        project=project,
        reported_on=reported_on,
        physical_progress=physical_progress,
        spent_cumulative=spent_cumulative,
        regression_reason=regression_reason,
    )
    if len(photos) > photo_rules.MAX_PHOTOS_PER_UPDATE:
        errors.setdefault("photos", []).append(
            _("Paling banyak %(n)d foto per laporan.") % {"n": photo_rules.MAX_PHOTOS_PER_UPDATE}
        )
    # Every photo is checked and resized before anything is written, so a bad one leaves nothing behind.
    prepared = []
    if not errors.get("photos"):
        for upload in photos:
            try:
                prepared.append(photo_rules.prepare_photo(upload, keep_gps=keep_gps))
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors, code="progress_update")
    update = ProgressUpdate(
        project=project,
        reported_on=reported_on,
        physical_progress=physical_progress,
        spent_cumulative=spent_cumulative,
        note=note.strip(),
        regression_reason=regression_reason.strip(),
        reported_by=actor,
    )
    update.full_clean()
    saved_names: list[str] = []
    try:
        update.save()
        for photo in prepared:
            record = ProgressPhoto(update=update, width=photo.width, height=photo.height, has_gps=photo.has_gps)
            assert photo.content.name is not None  # prepare_photo() names every file it makes
            record.image.save(photo.content.name, photo.content, save=False)
            assert record.image.name is not None  # FieldFile.save() keeps the name the storage chose
            saved_names.append(record.image.name)
            record.save()
    except BaseException:
        # The transaction rolls back the rows; the files written so far must go too (nothing half-saved).
        _delete_files(saved_names)
        raise
    return update


#: A recorded report is evidence: afterwards only its note may be corrected.
PROGRESS_EDITABLE_FIELDS = ("note",)


@transaction.atomic
def progress_update_update(*, actor, update: ProgressUpdate, data: dict) -> ProgressUpdate:
    """Corrects the note of a recorded report (figures, date and photos stay as reported)."""
    unknown = set(data) - set(PROGRESS_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"progress_update_update() got unexpected fields: {sorted(unknown)}")
    # Lock order as in progress_update_create: the project (scope checked), then its report.
    _locked(actor, update.project, "infrastructure.change_progressupdate")
    update = ProgressUpdate.objects.select_for_update(of=("self",)).get(pk=update.pk)
    update.note = (data.get("note") or "").strip()
    update.full_clean()
    update.save(update_fields=["note"])
    return update


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


# Delays and attention


def project_attention(
    *, project: InfrastructureProject, latest_progress: Decimal | None, today: dt.date
) -> tuple[bool, str]:
    """Whether an open project needs attention, and why (planned end passed, or progress behind a linear plan)."""
    if project.status not in OPEN_STATUSES:
        return False, ""
    reasons = []
    progress = Decimal(latest_progress or 0)
    if project.planned_end_on and project.planned_end_on < today:
        reasons.append(
            _("Melewati rencana selesai %(d)s (%(n)d hari) dan belum selesai.")
            % {"d": _fmt(project.planned_end_on), "n": (today - project.planned_end_on).days}
        )
    if project.planned_start_on and project.planned_end_on and project.planned_start_on < today:
        span = max((project.planned_end_on - project.planned_start_on).days, 1)
        elapsed = min((today - project.planned_start_on).days, span)
        expected = (Decimal(elapsed) * 100 / Decimal(span)).quantize(Decimal("1"))
        if expected - progress > BEHIND_PLAN_POINTS:
            reasons.append(
                _("Progres fisik %(actual)s%% tertinggal dari rencana linear %(expected)s%%.")
                % {"actual": _pct(progress), "expected": expected}
            )
    return bool(reasons), " ".join(str(r) for r in reasons)


def projects_flag_delayed(*, today: dt.date | None = None) -> int:
    """Recomputes the attention flag of every project; safe to run twice (the same data gives the same flags)."""
    today = today or timezone.localdate()
    now = timezone.now()
    flagged = 0
    projects = list(InfrastructureProject.objects.with_progress().order_by("pk"))
    for project in projects:
        project.is_delayed, project.delay_reason = project_attention(
            project=project, latest_progress=project.latest_progress, today=today
        )
        project.delay_computed_at = now
        flagged += project.is_delayed
    with transaction.atomic():
        InfrastructureProject.objects.bulk_update(
            projects, ["is_delayed", "delay_reason", "delay_computed_at"], batch_size=500
        )
    return flagged
