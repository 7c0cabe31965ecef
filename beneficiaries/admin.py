"""Django admin for the registry. Every write goes through the services (core.admin.ServiceAdmin), whose errors
appear on the admin form; rows that only services and tasks write are read-only here (core.admin.ReadOnlyAdmin)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from pghistory.admin import EventModelAdmin  # noqa: F401 - pghistory.admin is installed; events browse there

from beneficiaries import services
from beneficiaries.models import Consent, DuplicateFlag, Household, HouseholdFlag, ImportBatch, ImportRow, Member
from beneficiaries.validators import mask_number, normalise_number
from core.admin import ReadOnlyAdmin, ServiceAdmin
from core.audit import client_ip


class HouseholdAdminForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = list(services.HOUSEHOLD_EDITABLE)

    def clean_kk_number(self):
        return normalise_number(self.cleaned_data.get("kk_number"))

    def validate_constraints(self):
        # An active KK number is unique: the service says so, with a link to the record that holds it.
        return


class CardReissueAdminForm(forms.Form):
    reason = forms.CharField(label=_("Alasan penggantian kartu"), max_length=300)


def card_reissue_action(modeladmin, request, queryset):
    """The admin action's two steps: the reason for the selected households, then one reissue each."""
    form = CardReissueAdminForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("Ganti kartu keluarga"),
            "households": queryset,
            "form": form,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/beneficiaries/household/reissue_cards.html", context)
    done = 0
    for household in queryset:
        try:
            services.household_card_reissue(
                actor=request.user, household=household, reason=form.cleaned_data["reason"], ip=client_ip(request)
            )
        except ValidationError as exc:
            modeladmin.message_user(request, f"{household}: {' '.join(exc.messages)}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request, _("%(n)s kartu diganti; kartu lama tidak berlaku lagi.") % {"n": done}, messages.SUCCESS
        )
    return None


class MemberAdminForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["household", *services.MEMBER_EDITABLE]

    def clean_nik(self):
        return normalise_number(self.cleaned_data.get("nik")) or None

    def validate_constraints(self):
        # An active NIK is unique: the service says so, naming where it is registered.
        return


def history_link(obj, method: str = "tracks"):
    """Link to pghistory's event browser for this object (for a household, its members' events too)."""
    if obj is None or obj.pk is None:
        return "-"
    try:
        url = reverse("admin:pghistory_events_changelist")
    except NoReverseMatch:
        return "-"
    return format_html(
        '<a href="{}?obj={}:{}&amp;method={}">{}</a>', url, obj._meta.label, obj.pk, method, _("Lihat riwayat")
    )


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["full_name", "relationship", "sex", "birth_date", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ServiceAdmin):
    form = HouseholdAdminForm
    list_display = ["masked_kk", "kelurahan", "rt", "address", "desil", "is_active"]
    list_filter = ["kelurahan", "desil", "is_active", "is_in_dtks"]
    search_fields = ["=kk_number", "address", "members__full_name", "=members__nik"]
    autocomplete_fields = ["kelurahan", "rt"]
    list_select_related = ["kelurahan", "rt"]
    readonly_fields = ["card_token", "card_code", "created_at", "updated_at", "created_by", "kelurahan", "history"]
    show_full_result_count = False  # no COUNT(*) over a million rows
    inlines = [MemberInline]
    actions = ["reissue_cards"]

    @admin.action(description=_("Ganti kartu keluarga (kartu hilang atau rusak)"), permissions=["change"])
    def reissue_cards(self, request, queryset):
        """Through `services.household_card_reissue`, after asking for the reason on an intermediate page."""
        return card_reissue_action(self, request, queryset)

    @admin.display(description=_("nomor KK"), ordering="kk_number")
    def masked_kk(self, obj):
        return mask_number(obj.kk_number)

    @admin.display(description=_("riwayat perubahan"))
    def history(self, obj):
        return history_link(obj, "references")

    def has_add_permission(self, request):
        # A Keluarga is registered with its members in one step: the portal's registration form does that.
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # soft delete only (household_deactivate)

    def service_save(self, request, *, obj, data, change):
        editable = {name: value for name, value in data.items() if name in services.HOUSEHOLD_EDITABLE}
        return services.household_update(actor=request.user, household=obj, data=editable)


@admin.register(Member)
class MemberAdmin(ServiceAdmin):
    form = MemberAdminForm
    list_display = ["full_name", "masked_nik", "household", "relationship", "sex", "birth_date", "is_active"]
    list_filter = ["sex", "relationship", "is_active", "household__kelurahan"]
    search_fields = ["=nik", "full_name", "=household__kk_number"]
    autocomplete_fields = ["household"]
    list_select_related = ["household"]
    show_full_result_count = False
    readonly_fields = ["history"]

    @admin.display(description=_("riwayat perubahan"))
    def history(self, obj):
        return history_link(obj)

    @admin.display(description=_("NIK"), ordering="nik")
    def masked_nik(self, obj):
        return mask_number(obj.nik)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Another family is a move (Pecah KK, services.member_move), with its own page and checks.
        return [*super().get_readonly_fields(request, obj), *(["household"] if obj is not None else [])]

    def service_save(self, request, *, obj, data, change):
        editable = {name: data.get(name) for name in services.MEMBER_EDITABLE if name in data}
        if change:
            return services.member_update(actor=request.user, member=obj, data=editable, warnings_confirmed=True)
        return services.member_add(
            actor=request.user, household=data["household"], data=editable, warnings_confirmed=True
        )


@admin.register(Consent)
class ConsentAdmin(ServiceAdmin):
    """Recorded through `consent_record`; once recorded only its withdrawal can change (`consent_withdraw`)."""

    list_display = ["consenter_name", "household", "purpose", "notice_version", "consented_on", "withdrawn_on"]
    list_filter = ["purpose", "notice_version"]
    search_fields = ["consenter_name"]
    autocomplete_fields = ["household", "member"]
    fields = ["household", "member", "consenter_name", "purpose", "notice_version", "consented_on", "withdrawn_on"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["withdrawn_on"]
        return [name for name in self.fields if name != "withdrawn_on"]

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, *, obj, data, change):
        if not change:
            return services.consent_record(
                actor=request.user,
                household=data["household"],
                member=data.get("member"),
                consenter_name=data["consenter_name"],
                purpose=data["purpose"],
                notice_version=data["notice_version"],
                consented_on=data["consented_on"],
            )
        if data.get("withdrawn_on") and data["withdrawn_on"] != obj.withdrawn_on:
            return services.consent_withdraw(actor=request.user, consent=obj, withdrawn_on=data["withdrawn_on"])
        return obj


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(ReadOnlyAdmin):
    """Decided on the portal's "Data ganda" page (services.duplicate_transition), where both records are shown."""

    list_display = ["member", "other", "kind", "score", "status", "reviewed_by", "reviewed_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["member", "other", "reviewed_by"]


@admin.register(HouseholdFlag)
class HouseholdFlagAdmin(ReadOnlyAdmin):
    """Fixed on the portal (the household's edit page) and closed there or by the nightly check."""

    list_display = ["household", "kind", "heads", "status", "resolved_by", "resolved_at", "created_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["household", "resolved_by"]


class ImportRowInline(admin.TabularInline):
    model = ImportRow
    fields = ["row_number", "is_accepted", "action", "errors"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "uploaded_by",
        "status",
        "total_rows",
        "accepted_rows",
        "rejected_rows",
        "created_at",
    ]
    list_filter = ["status"]


@admin.register(ImportRow)
class ImportRowAdmin(ReadOnlyAdmin):
    list_display = ["batch", "row_number", "kk_number", "full_name", "is_accepted"]
    list_filter = ["is_accepted"]
    raw_id_fields = ["batch"]
