"""Django admin: reference data editable; rounds written through the services (`core.admin.ServiceAdmin`: the
same checks as the pages, errors on the form) and their status only by the services' transitions; deliveries and
the other rows that only services write are read-only; support-case notes never shown (UU PDP: children's data)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from aid_distribution import services
from aid_distribution.models import (
    AidPackage,
    Commodity,
    Delivery,
    DistributionRound,
    Entitlement,
    Institution,
    InstitutionMembership,
    PackageItem,
    RoundAction,
    StockMovement,
    SupportCase,
    SupportSession,
    UndeliveredVisit,
)
from core.admin import ReadOnlyAdmin, ServiceAdmin


class MembershipInline(admin.TabularInline):
    model = InstitutionMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "registration_number", "contact_name", "is_active"]
    list_filter = ["kind", "is_active", "kelurahan_served"]
    search_fields = ["name", "registration_number"]
    filter_horizontal = ["kelurahan_served"]
    inlines = [MembershipInline]


@admin.register(InstitutionMembership)
class InstitutionMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "is_counsellor"]
    list_filter = ["institution", "is_counsellor"]
    search_fields = ["user__username", "user__first_name", "institution__name"]
    autocomplete_fields = ["user", "institution"]


@admin.register(Commodity)
class CommodityAdmin(admin.ModelAdmin):
    list_display = ["name", "unit"]
    search_fields = ["name"]


class PackageItemInline(admin.TabularInline):
    model = PackageItem
    extra = 1
    autocomplete_fields = ["commodity"]


@admin.register(AidPackage)
class AidPackageAdmin(admin.ModelAdmin):
    list_display = ["name", "estimated_value"]
    search_fields = ["name"]
    inlines = [PackageItemInline]


@admin.register(PackageItem)
class PackageItemAdmin(admin.ModelAdmin):
    list_display = ["package", "commodity", "quantity"]
    list_filter = ["package"]
    search_fields = ["package__name", "commodity__name"]


def _transition_action(action: str, label):
    def run(modeladmin, request, queryset):
        done = 0
        for round_ in queryset:
            try:
                services.round_transition(actor=request.user, round_=round_, action=action)
                done += 1
            except ValidationError as exc:
                modeladmin.message_user(request, f"{round_}: {' '.join(exc.messages)}", messages.ERROR)
            except PermissionDenied as exc:
                modeladmin.message_user(request, f"{round_}: {exc}", messages.ERROR)
        if done:
            modeladmin.message_user(request, _("%(n)s putaran diperbarui.") % {"n": done}, messages.SUCCESS)

    run.__name__ = f"round_{action}"
    run.short_description = label
    return run


@admin.register(DistributionRound)
class DistributionRoundAdmin(ServiceAdmin):
    list_display = ["name", "institution", "period", "package", "status", "approved_by"]
    list_filter = ["status", "institution", "period"]
    search_fields = ["name", "institution__name"]
    autocomplete_fields = ["institution", "package"]
    # Status moves only through services (guards and audit), via the actions below.
    readonly_fields = ["status", "submitted_at", "approved_by", "approved_at", "closed_at", "created_by"]
    actions = [
        _transition_action(RoundAction.SUBMIT, _("Ajukan")),
        _transition_action(RoundAction.APPROVE, _("Setujui")),
        _transition_action(RoundAction.RETURN, _("Kembalikan ke draf")),
        _transition_action(RoundAction.START, _("Mulai penyaluran")),
        _transition_action(RoundAction.CLOSE, _("Tutup")),
    ]

    def service_save(self, request, *, obj, data: dict, change: bool):
        fields = {name: data[name] for name in services.ROUND_EDITABLE_FIELDS if name in data}
        if change:
            return services.round_update(actor=request.user, round_=obj, data=fields)
        return services.round_create(actor=request.user, **fields)


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "household", "added_at"]
    list_filter = ["round__status"]
    search_fields = ["round__name"]
    list_select_related = ["round__institution", "household"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "entitlement", "delivered_at", "recorded_by", "client_uuid"]
    list_filter = ["delivered_at"]
    search_fields = ["client_uuid"]
    exclude = ["photo"]
    list_select_related = ["recorded_by"]


@admin.register(UndeliveredVisit)
class UndeliveredVisitAdmin(ReadOnlyAdmin):
    list_display = ["id", "entitlement", "reason", "visited_at", "recorded_by"]
    list_filter = ["reason"]
    search_fields = ["client_uuid"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["round", "kind", "quantity", "reason", "moved_on", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["round__name", "reason"]


@admin.register(SupportCase)
class SupportCaseAdmin(ReadOnlyAdmin):
    """Counts and status only: who the child is and what was said stays with the assigned counsellors."""

    list_display = ["id", "institution", "status", "opened_on"]
    list_filter = ["status", "institution"]
    search_fields = ["id"]
    fields = ["institution", "status", "opened_on", "closed_on"]


@admin.register(SupportSession)
class SupportSessionAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "kind", "held_on"]
    list_filter = ["kind"]
    search_fields = ["case__id"]
    fields = ["case", "kind", "held_on"]  # never the notes
