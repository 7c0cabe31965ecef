from django.contrib import admin

from core.models import RT, Kelurahan


@admin.register(Kelurahan)
class KelurahanAdmin(admin.ModelAdmin):
    list_display = ["name", "official_name", "kemendagri_code", "bps_code", "postal_code"]
    search_fields = ["name", "official_name", "kemendagri_code", "bps_code"]

    def has_delete_permission(self, request, obj=None):
        # Kelurahan are fixed by Kepmendagri; deleting one would orphan the registry.
        return False


@admin.register(RT)
class RTAdmin(admin.ModelAdmin):
    list_display = ["number", "rw", "kelurahan", "is_active"]
    list_filter = ["kelurahan", "is_active"]
    search_fields = ["kelurahan__name"]
    autocomplete_fields = ["kelurahan"]
    ordering = ["kelurahan", "number"]
