"""Django admin for programs. Writes with rules go through services, so the lifecycle guards hold here too:
statuses are read-only and move only by admin actions that call the same services as the portal."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from programs import eligibility, services
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
            modeladmin.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)
        else:
            ok += 1
    if ok:
        modeladmin.message_user(request, done % {"n": ok}, messages.SUCCESS)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organiser_kind", "funding_source", "budget", "is_active"]
    list_filter = ["kind", "funding_source", "is_active"]
    search_fields = ["name", "organiser_name"]

    def save_model(self, request, obj, form, change):
        services.program_save(program=obj)


class SessionInline(admin.TabularInline):
    model = TrainingSession
    extra = 0
    fields = ["held_on", "topic", "duration_minutes"]
    readonly_fields = ["held_on", "topic", "duration_minutes"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_on", "ends_on", "capacity", "status"]
    list_filter = ["status", "program"]
    search_fields = ["name", "program__name", "venue", "trainers"]
    autocomplete_fields = ["program"]
    readonly_fields = ["status"]
    filter_horizontal = ["kelurahan_set"]
    inlines = [SessionInline]
    actions = ["open_cohort", "start_cohort", "finish_cohort", "evaluate_cohort"]

    def save_model(self, request, obj, form, change):
        services.cohort_save(cohort=obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.clean = _cohort_form_clean
        return form

    def _transition(self, request, queryset, action, label):
        _run(self, request, queryset, lambda c: services.cohort_transition(cohort=c, action=action), label)

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
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["cohort", "held_on", "topic", "duration_minutes"]
    list_filter = ["cohort__program"]
    search_fields = ["topic", "cohort__program__name"]
    autocomplete_fields = ["cohort"]

    def save_model(self, request, obj, form, change):
        services.session_save(session=obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.clean = _session_form_clean
        return form


def _session_form_clean(form):
    data = form.cleaned_data
    cohort, held_on = data.get("cohort"), data.get("held_on")
    if cohort and cohort.status in ("selesai", "dievaluasi"):
        form.add_error("cohort", _("Angkatan sudah selesai: sesi tidak dapat ditambah atau diubah."))
    elif cohort and held_on and not cohort.starts_on <= held_on <= cohort.ends_on:
        form.add_error("held_on", _("Tanggal sesi harus di antara tanggal mulai dan selesai angkatan."))
    return data


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
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

    def save_model(self, request, obj, form, change):
        if change:
            return  # Every field is read-only once created; statuses move by actions.
        enrollment = services.enrollment_create(
            cohort=obj.cohort, member=obj.member, actor=request.user, override_reason=obj.override_reason
        )
        obj.pk = enrollment.pk
        obj.refresh_from_db()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            service_clean = _enrollment_form_clean
            form.clean = service_clean
        return form

    @admin.action(description=_("Luluskan (cek kehadiran minimal)"))
    def complete(self, request, queryset):
        _run(self, request, queryset, lambda e: services.enrollment_complete(enrollment=e), _("%(n)s peserta lulus."))

    @admin.action(description=_("Keluarkan (alasan: dikeluarkan lewat admin)"))
    def drop(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda e: services.enrollment_drop(enrollment=e, reason=str(_("Dikeluarkan lewat admin"))),
            _("%(n)s peserta dikeluarkan."),
        )


def _cohort_form_clean(form):
    """The service's guards, as form errors: a refusal must not end in a half-saved row."""
    data = form.cleaned_data
    cohort = form.instance
    try:
        data["eligibility_rule"] = eligibility.validate_rule(data.get("eligibility_rule"))
    except ValidationError as error:
        form.add_error("eligibility_rule", error)
    if cohort.pk:
        if cohort.status in ("selesai", "dievaluasi"):
            form.add_error(None, _("Angkatan yang sudah selesai tidak dapat diubah."))
        seats = cohort.enrollments.filter(status__in=["diterima", "terdaftar", "lulus", "tidak_lulus"]).count()
        if data.get("capacity") is not None and data["capacity"] < seats:
            form.add_error("capacity", _("Kuota tidak boleh lebih kecil dari jumlah peserta yang sudah diterima."))
    return data


def _enrollment_form_clean(form):
    """Admin add form: run the service's checks before saving (errors shown on the form, nothing saved)."""
    data = form.cleaned_data
    cohort, member = data.get("cohort"), data.get("member")
    if cohort and member:
        with_rule = services.member_is_eligible(cohort=cohort, member=member)
        if not with_rule and not (data.get("override_reason") or "").strip():
            form.add_error("override_reason", _("Anggota tidak memenuhi aturan kelayakan: isi alasan pengecualian."))
        if cohort.status not in services.ENROLLABLE:
            form.add_error("cohort", _("Angkatan tidak sedang menerima peserta."))
    return data


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "session", "is_present"]
    list_filter = ["is_present", "session__cohort__program"]
    search_fields = ["enrollment__member__full_name"]
    autocomplete_fields = ["session", "enrollment"]
    list_select_related = ["enrollment__member", "session"]
    fields = ["session", "enrollment", "is_present"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(enrollment__in=Enrollment.objects.visible_to(request.user))

    def save_model(self, request, obj, form, change):
        present = [obj.enrollment_id] if obj.is_present else []
        services.attendance_record(
            session=obj.session,
            present_ids=present,
            enrollments=[Enrollment.objects.get(pk=obj.enrollment_id)],
            actor=request.user,
        )
        saved = Attendance.objects.get(session=obj.session, enrollment_id=obj.enrollment_id)
        obj.pk = saved.pk

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.clean = _attendance_form_clean
        return form


def _attendance_form_clean(form):
    from django.utils import timezone

    data = form.cleaned_data
    session = data.get("session")
    if session and session.held_on > timezone.localdate():
        form.add_error("session", _("Kehadiran untuk sesi di masa depan tidak dapat dicatat."))
    if session and session.cohort.status != "berjalan":
        form.add_error("session", _("Kehadiran hanya dicatat saat angkatan berjalan."))
    return data


class OutcomeInline(admin.StackedInline):
    model = Outcome
    extra = 0
    can_delete = False
    readonly_fields = ["recorded_by"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "months_after", "due_on", "listed_due_on"]
    list_filter = ["months_after"]
    search_fields = ["enrollment__member__full_name"]
    readonly_fields = ["enrollment", "months_after", "due_on", "listed_due_on"]
    list_select_related = ["enrollment__member", "enrollment__cohort__program"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(enrollment__in=Enrollment.objects.visible_to(request.user))

    def has_add_permission(self, request):
        return False  # Follow-ups are planned by completion, never by hand.


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["follow_up", "recorded_on", "is_working", "has_business", "income_before", "income_after"]
    list_filter = ["has_business", "sells_online", "business_kind"]
    search_fields = ["follow_up__enrollment__member__full_name", "business_name"]
    autocomplete_fields = ["follow_up"]
    readonly_fields = ["recorded_by"]

    def save_model(self, request, obj, form, change):
        services.outcome_record(follow_up=obj.follow_up, outcome=obj, actor=request.user)


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    autocomplete_fields = ["member"]


class SaleInline(admin.TabularInline):
    model = GroupSale
    extra = 0


@admin.register(GroupEnterprise)
class GroupEnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "kelurahan", "business_kind", "sells_online", "founded_on"]
    list_filter = ["kelurahan", "business_kind", "sells_online"]
    search_fields = ["name", "products"]
    autocomplete_fields = ["program"]
    inlines = [MembershipInline, SaleInline]


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["member", "enterprise", "role", "joined_on"]
    search_fields = ["member__full_name", "enterprise__name"]
    autocomplete_fields = ["member", "enterprise"]


@admin.register(GroupSale)
class GroupSaleAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "month", "amount", "online_amount", "units_sold"]
    list_filter = ["enterprise"]
    search_fields = ["enterprise__name"]
    autocomplete_fields = ["enterprise"]

    def save_model(self, request, obj, form, change):
        services.sale_record(sale=obj)
