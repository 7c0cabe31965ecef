"""Group enterprises (usaha kelompok) formed by graduates: the group, its members, its monthly sales."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from beneficiaries.models import Member
from core.services import apply_changes
from programs.models import (
    ENTERPRISE_EDITABLE,
    MEMBERSHIP_EDITABLE,
    SALE_EDITABLE,
    Enrollment,
    EnrollmentStatus,
    GroupEnterprise,
    GroupMembership,
    GroupSale,
)
from programs.services._common import pick, require, require_visible, today


def _check_enterprise(enterprise: GroupEnterprise) -> None:
    if enterprise.founded_on and enterprise.founded_on > today():
        raise ValidationError({"founded_on": _("Tanggal berdiri tidak boleh di masa depan.")}, code="future")


def _check_kelurahan(actor, enterprise: GroupEnterprise) -> None:
    if actor is None or enterprise.kelurahan_id is None:
        return
    scope = actor.kelurahan_scope()
    if scope is not None and enterprise.kelurahan_id not in scope:
        raise ValidationError({"kelurahan": _("Kelurahan: di luar wilayah tugas Anda.")}, code="out_of_scope")


@transaction.atomic
def enterprise_create(*, actor, data: dict) -> GroupEnterprise:
    require(actor, "programs.add_groupenterprise", _("menambah usaha kelompok"))
    enterprise = GroupEnterprise(**pick(data, ENTERPRISE_EDITABLE))
    _check_kelurahan(actor, enterprise)
    _check_enterprise(enterprise)
    enterprise.full_clean()
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_update(*, actor, enterprise: GroupEnterprise, data: dict) -> GroupEnterprise:
    require(actor, "programs.change_groupenterprise", _("mengubah usaha kelompok"))
    require_visible(actor, GroupEnterprise.objects, enterprise.pk, _("Usaha kelompok ini"))
    enterprise = GroupEnterprise.objects.select_for_update().get(pk=enterprise.pk)
    changed = apply_changes(enterprise, data, ENTERPRISE_EDITABLE)
    if not changed:
        return enterprise
    _check_kelurahan(actor, enterprise)
    _check_enterprise(enterprise)
    enterprise.full_clean()
    enterprise.save(update_fields=[*changed, "updated_at"])
    return enterprise


@transaction.atomic
def enterprise_add_member(
    *, actor, enterprise: GroupEnterprise, member: Member, role: str = "", joined_on=None
) -> GroupMembership:
    """A graduate of the enterprise's program (of any program when it has none) joins the group."""
    require(actor, "programs.add_groupmembership", _("menambah anggota usaha kelompok"))
    require_visible(actor, GroupEnterprise.objects, enterprise.pk, _("Usaha kelompok ini"))
    require_visible(actor, Member.objects, member.pk, _("Anggota ini"))
    graduated = Enrollment.objects.filter(member=member, status=EnrollmentStatus.COMPLETED)
    if enterprise.program_id:
        graduated = graduated.filter(program_id=enterprise.program_id)
    if not graduated.exists():
        raise ValidationError(
            {
                "member": _("%(name)s belum lulus dari %(program)s: anggota usaha kelompok adalah lulusan program.")
                % {
                    "name": member.full_name,
                    "program": enterprise.program.name if enterprise.program is not None else _("program mana pun"),
                }
            },
            code="not_graduate",
        )
    if enterprise.memberships.filter(member=member).exists():
        raise ValidationError(
            {"member": _("%(name)s sudah menjadi anggota kelompok ini.") % {"name": member.full_name}},
            code="already_member",
        )
    membership = GroupMembership(enterprise=enterprise, member=member, role=role, joined_on=joined_on or today())
    if membership.joined_on > today():
        raise ValidationError({"joined_on": _("Tanggal bergabung tidak boleh di masa depan.")}, code="future")
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_update(*, actor, membership: GroupMembership, data: dict) -> GroupMembership:
    require(actor, "programs.change_groupmembership", _("mengubah anggota usaha kelompok"))
    require_visible(actor, GroupMembership.objects, membership.pk, _("Anggota ini"))
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    changed = apply_changes(membership, data, MEMBERSHIP_EDITABLE)
    if not changed:
        return membership
    if membership.joined_on and membership.joined_on > today():
        raise ValidationError({"joined_on": _("Tanggal bergabung tidak boleh di masa depan.")}, code="future")
    membership.full_clean()
    membership.save(update_fields=changed)
    return membership


def _check_sale(sale: GroupSale) -> None:
    if sale.month:
        sale.month = sale.month.replace(day=1)
        if sale.month > today():
            raise ValidationError({"month": _("Bulan penjualan tidak boleh di masa depan.")}, code="future_month")
        duplicate = GroupSale.objects.filter(enterprise_id=sale.enterprise_id, month=sale.month).exclude(pk=sale.pk)
        if duplicate.exists():
            raise ValidationError(
                {
                    "month": _("Penjualan bulan %(m)s sudah dicatat: ubah catatan yang ada.")
                    % {"m": f"{sale.month:%m-%Y}"}
                },
                code="duplicate_month",
            )


@transaction.atomic
def sale_record(*, actor, enterprise: GroupEnterprise, data: dict) -> GroupSale:
    """One month's sales of a group (the month is stored as its first day)."""
    require(actor, "programs.add_groupsale", _("mencatat penjualan usaha kelompok"))
    require_visible(actor, GroupEnterprise.objects, enterprise.pk, _("Usaha kelompok ini"))
    sale = GroupSale(enterprise=enterprise, **pick(data, SALE_EDITABLE))
    _check_sale(sale)
    sale.full_clean()
    sale.save()
    return sale


@transaction.atomic
def sale_update(*, actor, sale: GroupSale, data: dict) -> GroupSale:
    require(actor, "programs.change_groupsale", _("mengubah penjualan usaha kelompok"))
    require_visible(actor, GroupEnterprise.objects, sale.enterprise_id, _("Usaha kelompok ini"))
    sale = GroupSale.objects.select_for_update().get(pk=sale.pk)
    changed = apply_changes(sale, data, SALE_EDITABLE)
    if not changed:
        return sale
    _check_sale(sale)  # may move the month to its first day
    if "month" in data:
        changed = sorted({*changed, "month"})
    sale.full_clean()
    sale.save(update_fields=[*changed, "updated_at"])
    return sale
