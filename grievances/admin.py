"""Django admin for grievances, service levels, change requests and notices; every rule-bound write goes through
the services (core.admin.ServiceAdmin), which show their errors on the form."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ServiceAdmin
from grievances import services
from grievances.models import ChangeRequest, Grievance, GrievanceCategorySLA, Notification, Status, SubjectRequest


@admin.register(GrievanceCategorySLA)
class GrievanceCategorySLAAdmin(admin.ModelAdmin):
    list_display = ["category", "days"]
    list_editable = ["days"]
    list_display_links = ["category"]


class GrievanceAdminForm(forms.ModelForm):
    """The grievance's editable fields plus an optional status move; every rule is the services' (see
    GrievanceAdmin.service_save), none is copied here."""

    to_status = forms.ChoiceField(
        label=_("Ubah status menjadi"), choices=[("", _("— tidak diubah —")), *Status.choices], required=False
    )
    answer_input = forms.CharField(
        label=_("Jawaban"), widget=forms.Textarea, required=False, help_text=_("Wajib untuk menutup pengaduan.")
    )

    class Meta:
        model = Grievance
        fields = list(services.EDITABLE_FIELDS)


#: The services name the status and the answer; the admin form calls them to_status and answer_input.
SERVICE_TO_FORM_FIELD = {"status": "to_status", "answer": "answer_input"}


@admin.register(Grievance)
class GrievanceAdmin(ServiceAdmin):
    """Adds and changes go through `grievance_create` / `grievance_update` and `grievance_transition`: the
    assignee, scope and due-date rules hold here as on the portal, and their errors appear on the form."""

    form = GrievanceAdminForm
    list_display = [
        "pk",
        "title",
        "category",
        "kelurahan",
        "status",
        "priority",
        "due_on",
        "assigned_to",
        "is_sensitive",
    ]
    list_filter = ["status", "category", "channel", "kelurahan", "is_sensitive", "priority"]
    search_fields = ["=id", "title", "complainant_name"]
    autocomplete_fields = [
        "household",
        "member",
        "infrastructure_project",
        "distribution_round",
        "cohort",
        "assigned_to",
    ]
    readonly_fields = [
        "status",
        "due_on",
        "answer",
        "closed_at",
        "closed_by",
        "submitted_by",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "received_on"
    list_select_related = ["kelurahan", "assigned_to"]

    def service_save(self, request, *, obj, data, change):
        fields = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
        try:
            if change:
                grievance = services.grievance_update(actor=request.user, grievance=obj, data=fields)
            else:
                grievance = services.grievance_create(
                    actor=request.user, **{name: value for name, value in fields.items() if value is not None}
                )
            target = data.get("to_status")
            if target and target != grievance.status:
                grievance = services.grievance_transition(
                    actor=request.user, grievance=grievance, to_status=target, answer=data.get("answer_input", "")
                )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            raise ValidationError(
                {SERVICE_TO_FORM_FIELD.get(name, name): errors for name, errors in exc.error_dict.items()}
            ) from exc
        return grievance

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "household", "member", "field_name", "status", "requested_by", "decided_by", "created_at"]
    list_filter = ["status", "field_name"]
    search_fields = ["=id", "=household__id", "member__full_name"]
    list_select_related = ["household", "member", "requested_by", "decided_by"]
    readonly_fields = [
        "household",
        "member",
        "grievance",
        "field_name",
        "old_value",
        "new_value",
        "reason",
        "evidence",
        "status",
        "requested_by",
        "decided_by",
        "decided_at",
        "decision_note",
        "created_at",
        "updated_at",
    ]
    actions = ["approve_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False  # proposed in the portal, where the old value is captured

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, decide, done_message):
        done = 0
        for change_request in queryset:
            try:
                decide(change_request)
            except ValidationError as exc:
                self.message_user(request, f"#{change_request.pk}: {' '.join(exc.messages)}", messages.ERROR)
            except PermissionDenied as exc:
                self.message_user(request, f"#{change_request.pk}: {exc}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Setujui dan terapkan permintaan terpilih"), permissions=["change"])
    def approve_selected(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda cr: services.change_request_approve(
                actor=request.user, change_request=cr, note=str(_("Disetujui melalui admin."))
            ),
            _("%(n)s permintaan disetujui dan diterapkan."),
        )

    @admin.action(description=_("Tolak permintaan terpilih"), permissions=["change"])
    def reject_selected(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda cr: services.change_request_reject(
                actor=request.user, change_request=cr, note=str(_("Ditolak melalui admin."))
            ),
            _("%(n)s permintaan ditolak."),
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["sent_on", "user", "kind", "channel", "title", "read_at"]
    list_filter = ["kind", "channel", "sent_on"]
    search_fields = ["user__username", "title"]
    list_select_related = ["user"]
    readonly_fields = ["user", "kind", "channel", "sent_on", "title", "body", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(SubjectRequest)
class SubjectRequestAdmin(ReadOnlyAdmin):
    """Recorded and answered through the portal so that deadline, scope and audit events come from the service."""

    list_display = ["kind", "requester_name", "kelurahan", "received_at", "due_at", "status"]
    list_filter = ["kind", "status", "kelurahan"]
    search_fields = ["requester_name"]
    autocomplete_fields = ["member", "household"]
