"""Django admin for grievances, service levels, change requests and notices; rule-bound writes use the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from grievances import services
from grievances.models import ChangeRequest, Grievance, GrievanceCategorySLA, Notification, Status, SubjectRequest


@admin.register(GrievanceCategorySLA)
class GrievanceCategorySLAAdmin(admin.ModelAdmin):
    list_display = ["category", "days"]
    list_editable = ["days"]
    list_display_links = ["category"]


class GrievanceAdminForm(forms.ModelForm):
    to_status = forms.ChoiceField(
        label=_("Ubah status menjadi"), choices=[("", _("— tidak diubah —")), *Status.choices], required=False
    )
    answer_input = forms.CharField(
        label=_("Jawaban"), widget=forms.Textarea, required=False, help_text=_("Wajib untuk menutup pengaduan.")
    )

    class Meta:
        model = Grievance
        fields = [
            "channel",
            "category",
            "title",
            "description",
            "kelurahan",
            "household",
            "member",
            "infrastructure_project",
            "distribution_round",
            "cohort",
            "is_anonymous",
            "complainant_name",
            "complainant_phone",
            "complainant_address",
            "priority",
            "is_sensitive",
            "received_on",
            "assigned_to",
        ]

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("to_status")
        if target and self.instance.pk and target != self.instance.status:
            if target not in services.TRANSITIONS.get(self.instance.status, set()):
                raise ValidationError({"to_status": _("Perubahan status ini tidak diperbolehkan.")})
            if target in ("selesai", "ditolak") and not (cleaned.get("answer_input") or "").strip():
                raise ValidationError({"answer_input": _("Jawaban tertulis wajib diisi untuk menutup pengaduan.")})
        elif target and not self.instance.pk and target != Status.BARU:
            raise ValidationError({"to_status": _("Pengaduan baru selalu berstatus baru; ubah setelah disimpan.")})
        return cleaned


@admin.register(Grievance)
class GrievanceAdmin(admin.ModelAdmin):
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

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.grievance_create(
                actor=request.user,
                **{
                    key: data.get(key)
                    for key in GrievanceAdminForm.Meta.fields
                    if key not in ("received_on", "assigned_to") and data.get(key) is not None
                },
                received_on=data.get("received_on"),
                assigned_to=data.get("assigned_to"),
            )
            obj.__dict__.update(created.__dict__)
            return
        super().save_model(request, obj, form, change)
        target = data.get("to_status")
        if target and target != obj.status:
            services.grievance_transition(
                actor=request.user, grievance=obj, to_status=target, answer=data.get("answer_input", "")
            )

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
