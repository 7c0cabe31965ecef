"""Programs: create and update (the kecamatan runs them)."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.services import apply_changes
from programs.models import PROGRAM_EDITABLE, Program
from programs.services._common import pick, require


@transaction.atomic
def program_create(*, actor, data: dict) -> Program:
    require(actor, "programs.add_program", _("menambah program"))
    program = Program(**pick(data, PROGRAM_EDITABLE))
    program.full_clean()
    program.save()
    return program


@transaction.atomic
def program_update(*, actor, program: Program, data: dict) -> Program:
    require(actor, "programs.change_program", _("mengubah program"))
    program = Program.objects.select_for_update().get(pk=program.pk)
    changed = apply_changes(program, data, PROGRAM_EDITABLE)
    if not changed:
        return program
    program.full_clean()
    program.save(update_fields=[*changed, "updated_at"])
    return program
