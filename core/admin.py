from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from core.forms import add_service_error
from core.models import RT, AuditEvent, Kelurahan, TaskOutbox


class ReadOnlyPermissions:
    """No add, change or delete in admin: for models and inlines whose rows only services or tasks write."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyPermissions, admin.ModelAdmin):
    """Rows written only by services or tasks (deliveries, report runs …): admins read them, never edit them."""


class ReadOnlyInline(ReadOnlyPermissions):
    """An inline that lists rows written elsewhere (through their own admin or the portal); mix it into
    `admin.TabularInline` or `admin.StackedInline`."""

    extra = 0
    can_delete = False
    show_change_link = True


class ServiceAdmin(admin.ModelAdmin):
    """An admin whose add and change forms write through the app's service (docs/conventions.md).

    Subclasses implement `service_save(request, *, obj, data, change)` and return the saved object: `obj` is the
    row as it is in the database (change) or the unsaved instance built from the form (add); `data` is the form's
    cleaned data. The service runs while the form is validated, inside the admin's transaction, so that its
    ValidationError lands on the form's fields (`add_service_error`) and nothing is saved; `save_model` then has
    nothing left to do. The admin never copies a service's rules into its form.
    """

    def service_save(self, request, *, obj, data: dict, change: bool):
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if self._errors:
                    return
                current = type(self.instance).objects.get(pk=self.instance.pk) if self.instance.pk else self.instance
                try:
                    with transaction.atomic():
                        self.instance = model_admin.service_save(
                            request, obj=current, data=self.cleaned_data, change=bool(current.pk)
                        )
                except ValidationError as exc:
                    add_service_error(self, exc)

        ServiceForm.__name__ = form_class.__name__
        return ServiceForm

    def save_model(self, request, obj, form, change):
        """Saved by `service_save` while the form was validated."""


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
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the table is append-only in the database as well."""

    list_display = ["created_at", "username", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_id", "ip_address"]
    date_hierarchy = "created_at"


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
