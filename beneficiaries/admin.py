from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Consent, Household, Member
from beneficiaries.validators import mask_number


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["masked_kk", "kelurahan", "rt", "address", "desil", "is_active"]
    list_filter = ["kelurahan", "desil", "is_active", "is_in_dtks"]
    search_fields = ["=kk_number", "address"]
    autocomplete_fields = ["kelurahan", "rt"]
    list_select_related = ["kelurahan", "rt"]
    readonly_fields = ["card_token", "created_at", "updated_at", "created_by"]

    @admin.display(description=_("nomor KK"), ordering="kk_number")
    def masked_kk(self, obj):
        return mask_number(obj.kk_number)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["full_name", "masked_nik", "household", "relationship", "sex", "birth_date", "is_active"]
    list_filter = ["sex", "relationship", "is_active", "household__kelurahan"]
    search_fields = ["=nik", "full_name"]
    autocomplete_fields = ["household"]
    list_select_related = ["household"]

    @admin.display(description=_("NIK"), ordering="nik")
    def masked_nik(self, obj):
        return mask_number(obj.nik)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["consenter_name", "household", "purpose", "notice_version", "consented_on", "withdrawn_on"]
    list_filter = ["purpose", "notice_version"]
    search_fields = ["consenter_name"]
    autocomplete_fields = ["household", "member"]
