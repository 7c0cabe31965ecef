from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import DeviceToken, User
from accounts.tokens import device_token_revoke


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "kelurahan", "is_active", "last_login"]
    list_filter = ["role", "is_active", "kelurahan"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["kelurahan"]
    filter_horizontal = ["kelurahan_set"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Data pribadi"), {"fields": ("first_name", "last_name", "email", "phone")}),
        (_("Peran dan cakupan"), {"fields": ("role", "kelurahan", "kelurahan_set", "is_active")}),
        (_("Waktu"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "role", "kelurahan")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Group membership and staff status follow the role, through the same service as everywhere else.
        services.user_apply_role(actor=request.user, user=form.instance)


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by the API only; admins can see and revoke them, never read a key."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Cabut token terpilih"))
    def revoke(self, request, queryset):
        for token in queryset:
            device_token_revoke(actor=request.user, token=token)
