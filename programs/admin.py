"""Django admin for programs: every add and change form writes through the services (core.admin.ServiceAdmin),
so the lifecycle guards hold here too and a refusal is the service's own message on the form. Statuses are
read-only and move only by admin actions that call the same services as the portal; rows only services write
(follow-ups) are read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin
from programs import services
from programs.models import (
    Attendance,
    Cohort,
    Enrollment,
    FollowUp,
    GroupEnterprise,
    GroupMembership,
    GroupSale,
    Outcome,
    Program,
    TrainingSession,
)


def _run(modeladmin, request, queryset, func, done):
    ok = 0
    for obj in queryset:
        try:
            func(obj)
        except ValidationError as error:
            for message in error.messages:
                modeladmin.message_user(request, f"{obj}: {message}", messages.ERROR)
        else:
            ok += 1
    if ok:
        modeladmin.message_user(request, done % {"n": ok}, messages.SUCCESS)


@admin.register(Program)
class ProgramAdmin(ServiceAdmin):
    list_display = ["name", "kind", "organiser_kind", "funding_source", "budget", "is_active"]
    list_filter = ["kind", "funding_source", "is_active"]
    search_fields = ["name", "organiser_name"]

    def service_save(self, request, *, obj, data, change):
        if change:
            return services.program_update(actor=request.user, program=obj, data=data)
        return services.program_create(actor=request.user, data=data)


class SessionInline(ReadOnlyInline, admin.TabularInline):
    model = TrainingSession
    fields = ["held_on", "topic", "duration_minutes"]
    readonly_fields = ["held_on", "topic", "duration_minutes"]


@admin.register(Cohort)
class CohortAdmin(ServiceAdmin):
    list_display = ["__str__", "starts_on", "ends_on", "capacity", "status"]
    list_filter = ["status", "program"]
    search_fields = ["name", "program__name", "venue", "trainers"]
    autocomplete_fields = ["program"]
    filter_horizontal = ["kelurahan_set"]
    inlines = [SessionInline]
    actions = ["open_cohort", "start_cohort", "finish_cohort", "evaluate_cohort"]

    def get_readonly_fields(self, request, obj=None):
        # The program is chosen once (enrollments copy it); the status moves by the actions below.
        return ["status"] if obj is None else ["program", "status"]

    def service_save(self, request, *, obj, data, change):
        if change:
            return services.cohort_update(actor=request.user, cohort=obj, data=data)
        return services.cohort_create(actor=request.user, program=data["program"], data=data)

    def save_related(self, request, form, formsets, change):
        # The kelurahan were set by the service; the inline lists sessions only (no m2m write of its own).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _transition(self, request, queryset, action, label):
        _run(
            self,
            request,
            queryset,
            lambda c: services.cohort_transition(actor=request.user, cohort=c, action=action),
            label,
        )

    @admin.action(description=_("Buka pendaftaran"))
    def open_cohort(self, request, queryset):
        self._transition(request, queryset, "open", _("%(n)s angkatan dibuka."))

    @admin.action(description=_("Mulai angkatan"))
    def start_cohort(self, request, queryset):
        self._transition(request, queryset, "start", _("%(n)s angkatan dimulai."))

    @admin.action(description=_("Selesaikan angkatan"))
    def finish_cohort(self, request, queryset):
        self._transition(request, queryset, "finish", _("%(n)s angkatan selesai."))

    @admin.action(description=_("Tandai sudah dievaluasi"))
    def evaluate_cohort(self, request, queryset):
        self._transition(request, queryset, "evaluate", _("%(n)s angkatan dievaluasi."))


@admin.register(TrainingSession)
class TrainingSessionAdmin(ServiceAdmin):
    list_display = ["cohort", "held_on", "topic", "duration_minutes"]
    list_filter = ["cohort__program"]
    search_fields = ["topic", "cohort__program__name"]
    autocomplete_fields = ["cohort"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["cohort"]  # attendance belongs to the session's cohort

    def service_save(self, request, *, obj, data, change):
        if change:
            return services.session_update(actor=request.user, session=obj, data=data)
        return services.session_create(actor=request.user, cohort=data["cohort"], data=data)


@admin.register(Enrollment)
class EnrollmentAdmin(ServiceAdmin):
    list_display = ["member", "cohort", "status", "is_eligible_at_entry", "completed_on", "certificate_code"]
    list_filter = ["status", "program", "is_eligible_at_entry"]
    search_fields = ["member__full_name", "certificate_code", "cohort__program__name"]
    autocomplete_fields = ["member", "cohort"]
    list_select_related = ["member", "cohort__program"]
    actions = ["complete", "drop"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["cohort", "member", "override_reason"]
        return [
            "cohort",
            "member",
            "status",
            "waitlisted_at",
            "is_eligible_at_entry",
            "override_reason",
            "exit_reason",
            "completed_on",
            "certificate_code",
            "created_by",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def service_save(self, request, *, obj, data, change):
        if change:
            return obj  # every field is read-only once created; statuses move by the actions
        return services.enrollment_create(
            actor=request.user,
            cohort=data["cohort"],
            member=data["member"],
            override_reason=data.get("override_reason", ""),
        )

    def _transition(self, request, queryset, action, label, **details):
        _run(
            self,
            request,
            queryset,
            lambda e: services.enrollment_transition(actor=request.user, enrollment=e, action=action, **details),
            label,
        )

    @admin.action(description=_("Luluskan (cek kehadiran minimal)"))
    def complete(self, request, queryset):
        self._transition(request, queryset, "complete", _("%(n)s peserta lulus."))

    @admin.action(description=_("Keluarkan (alasan: dikeluarkan lewat admin)"))
    def drop(self, request, queryset):
        self._transition(
            request, queryset, "drop", _("%(n)s peserta dikeluarkan."), reason=str(_("Dikeluarkan lewat admin"))
        )


@admin.register(Attendance)
class AttendanceAdmin(ServiceAdmin):
    list_display = ["enrollment", "session", "is_present"]
    list_filter = ["is_present", "session__cohort__program"]
    search_fields = ["enrollment__member__full_name"]
    autocomplete_fields = ["session", "enrollment"]
    list_select_related = ["enrollment__member", "session"]
    fields = ["session", "enrollment", "is_present"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(enrollment__in=Enrollment.objects.visible_to(request.user))

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["session", "enrollment"]

    def service_save(self, request, *, obj, data, change):
        session = obj.session if change else data["session"]
        enrollment_id = obj.enrollment_id if change else data["enrollment"].pk
        services.attendance_record(
            actor=request.user,
            session=session,
            present_ids=[enrollment_id] if data.get("is_present") else [],
            enrollment_ids=[enrollment_id],
        )
        return Attendance.objects.get(session=session, enrollment_id=enrollment_id)


class OutcomeInline(ReadOnlyInline, admin.StackedInline):
    model = Outcome
    readonly_fields = ["recorded_by"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    """Planned by graduation, marked due by the daily task: never written by hand."""

    list_display = ["enrollment", "months_after", "due_on", "listed_due_on"]
    list_filter = ["months_after"]
    search_fields = ["enrollment__member__full_name"]
    list_select_related = ["enrollment__member", "enrollment__cohort__program"]
    inlines = [OutcomeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(enrollment__in=Enrollment.objects.visible_to(request.user))


@admin.register(Outcome)
class OutcomeAdmin(ServiceAdmin):
    list_display = ["follow_up", "recorded_on", "is_working", "has_business", "income_before", "income_after"]
    list_filter = ["has_business", "sells_online", "business_kind"]
    search_fields = ["follow_up__enrollment__member__full_name", "business_name"]
    autocomplete_fields = ["follow_up"]
    readonly_fields = ["recorded_by"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(follow_up__enrollment__in=Enrollment.objects.visible_to(request.user))
        )

    def get_readonly_fields(self, request, obj=None):
        return ["recorded_by"] if obj is None else ["follow_up", "recorded_by"]

    def service_save(self, request, *, obj, data, change):
        if change:
            return services.outcome_update(actor=request.user, outcome=obj, data=data)
        return services.outcome_record(actor=request.user, follow_up=data["follow_up"], data=data)


class MembershipInline(ReadOnlyInline, admin.TabularInline):
    model = GroupMembership
    fields = ["member", "role", "joined_on"]
    readonly_fields = ["member", "role", "joined_on"]


class SaleInline(ReadOnlyInline, admin.TabularInline):
    model = GroupSale
    fields = ["month", "amount", "online_amount", "units_sold"]
    readonly_fields = ["month", "amount", "online_amount", "units_sold"]


@admin.register(GroupEnterprise)
class GroupEnterpriseAdmin(ServiceAdmin):
    list_display = ["name", "kelurahan", "business_kind", "sells_online", "founded_on"]
    list_filter = ["kelurahan", "business_kind", "sells_online"]
    search_fields = ["name", "products"]
    autocomplete_fields = ["program"]
    inlines = [MembershipInline, SaleInline]

    def service_save(self, request, *, obj, data, change):
        if change:
            return services.enterprise_update(actor=request.user, enterprise=obj, data=data)
        return services.enterprise_create(actor=request.user, data=data)


@admin.register(GroupMembership)
class GroupMembershipAdmin(ServiceAdmin):
    list_display = ["member", "enterprise", "role", "joined_on"]
    search_fields = ["member__full_name", "enterprise__name"]
    autocomplete_fields = ["member", "enterprise"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["enterprise", "member"]

    def service_save(self, request, *, obj, data, change):
        if change:
            return services.membership_update(actor=request.user, membership=obj, data=data)
        return services.enterprise_add_member(
            actor=request.user,
            enterprise=data["enterprise"],
            member=data["member"],
            role=data.get("role", ""),
            joined_on=data.get("joined_on"),
        )


@admin.register(GroupSale)
class GroupSaleAdmin(ServiceAdmin):
    list_display = ["enterprise", "month", "amount", "online_amount", "units_sold"]
    list_filter = ["enterprise"]
    search_fields = ["enterprise__name"]
    autocomplete_fields = ["enterprise"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["enterprise"]

    def service_save(self, request, *, obj, data, change):
        if change:
            return services.sale_update(actor=request.user, sale=obj, data=data)
        return services.sale_record(actor=request.user, enterprise=data["enterprise"], data=data)
