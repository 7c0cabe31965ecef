from django.contrib import admin

from core.models import RT, AuditEvent, Kelurahan, TaskOutbox


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


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the table is append-only in the database as well."""

    list_display = ["created_at", "username", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_id", "ip_address"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskOutbox)
class TaskOutboxAdmin(admin.ModelAdmin):
    """Tasks kept while Redis was unreachable; the relay sends them every minute. Read-only (deleting one loses it)."""

    list_display = ["created_at", "name", "task_id", "attempts", "last_error"]
    list_filter = ["name"]
    search_fields = ["name", "task_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
