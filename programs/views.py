"""Thin views: parse input, call one service or selector, render or redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from beneficiaries.models import Member
from core.access import PermissionMixin
from core.forms import add_service_error, flash_service_error
from programs import certificates, eligibility, selectors, services
from programs.filters import CandidateFilter, DashboardFilter
from programs.forms import (
    CohortForm,
    ConditionFormSet,
    EnrollForm,
    EnterpriseForm,
    EnterpriseMemberForm,
    OutcomeForm,
    ProgramForm,
    RuleForm,
    SaleForm,
    SessionForm,
    rule_initial,
)
from programs.models import (
    Cohort,
    CohortStatus,
    Enrollment,
    EnrollmentStatus,
    Outcome,
    Program,
    TrainingSession,
    enrollment_actions,
)

# --- programs ---------------------------------------------------------------------------------------------


class ProgramListView(PermissionMixin, TemplateView):
    permission_required = "programs.view_program"
    template_name = "programs/program_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["programs"] = selectors.program_list(user=self.request.user)
        return context


class ProgramFormView(PermissionMixin, View):
    template_name = "programs/program_form.html"

    @property
    def permission_required(self):
        return "programs.change_program" if "pk" in self.kwargs else "programs.add_program"

    def get_program(self):
        pk = self.kwargs.get("pk")
        return selectors.program_get(pk=pk) if pk else Program()

    def get(self, request, pk=None):
        program = self.get_program()
        return render(request, self.template_name, {"form": ProgramForm(instance=program), "program": program})

    def post(self, request, pk=None):
        program = self.get_program()
        form = ProgramForm(request.POST, instance=program)
        if form.is_valid():
            try:
                if pk:
                    program = services.program_update(actor=request.user, program=program, data=form.cleaned_data)
                else:
                    program = services.program_create(actor=request.user, data=form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Data berhasil disimpan."))
                return redirect("programs:program_detail", pk=program.pk)
        return render(request, self.template_name, {"form": form, "program": program}, status=400)


class ProgramDetailView(PermissionMixin, TemplateView):
    permission_required = "programs.view_program"
    template_name = "programs/program_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        program = selectors.program_get(pk=self.kwargs["pk"])
        context.update(program=program, cohorts=selectors.cohorts_of_program(program=program))
        return context


# --- cohorts ----------------------------------------------------------------------------------------------


class CohortFormView(PermissionMixin, View):
    template_name = "programs/cohort_form.html"

    @property
    def permission_required(self):
        return "programs.change_cohort" if "pk" in self.kwargs else "programs.add_cohort"

    def get_cohort(self):
        if "pk" in self.kwargs:
            return selectors.cohort_get(pk=self.kwargs["pk"])
        program = selectors.program_get(pk=self.kwargs["program_pk"])
        next_number = (program.cohorts.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        return Cohort(program=program, number=next_number, min_attendance_pct=75)

    def get(self, request, **kwargs):
        cohort = self.get_cohort()
        initial = {"kelurahan_set": list(cohort.kelurahan_set.all())} if cohort.pk else {}
        form = CohortForm(instance=cohort, initial=initial)
        return render(request, self.template_name, {"form": form, "cohort": cohort, "program": cohort.program})

    def post(self, request, **kwargs):
        cohort = self.get_cohort()
        form = CohortForm(request.POST, instance=cohort)
        if form.is_valid():
            try:
                if "pk" in kwargs:
                    cohort = services.cohort_update(actor=request.user, cohort=cohort, data=form.cleaned_data)
                else:
                    cohort = services.cohort_create(actor=request.user, program=cohort.program, data=form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Data berhasil disimpan."))
                return redirect("programs:cohort_detail", pk=cohort.pk)
        context = {"form": form, "cohort": cohort, "program": cohort.program}
        return render(request, self.template_name, context, status=400)


class CohortDetailView(PermissionMixin, TemplateView):
    permission_required = "programs.view_cohort"
    template_name = "programs/cohort_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        cohort = selectors.cohort_get(pk=self.kwargs["pk"])
        sessions = list(cohort.sessions.all())
        held = sum(1 for s in sessions if s.held_on <= timezone.localdate())
        participants = list(selectors.cohort_participants(user=user, cohort=cohort))
        for enrollment in participants:
            enrollment.meets_minimum = services.meets_attendance(
                present=enrollment.present, held=held, minimum_pct=cohort.min_attendance_pct
            )
            enrollment.actions = enrollment_actions(status=enrollment.status, cohort_status=cohort.status)
        context.update(
            cohort=cohort,
            next_action=cohort.next_action,
            sessions=sessions,
            held=held,
            today=timezone.localdate(),
            participants=participants,
            seats=selectors.cohort_seat_summary(cohort=cohort),
            eligible_count=selectors.candidates(user=user, cohort=cohort).count(),
            rule_lines=eligibility.describe(cohort.eligibility_rule),
            rule_combinator=eligibility.validate_rule(cohort.eligibility_rule)["combinator"],
            kelurahan_names=[k.name for k in cohort.kelurahan_set.all()],
            session_form=SessionForm(),
            can_manage=user.has_perm("programs.change_cohort"),
            can_enroll=user.has_perm("programs.change_enrollment"),
            can_record=user.has_perm("programs.add_attendance"),
            statuses=EnrollmentStatus,
        )
        return context


class CohortTransitionView(PermissionMixin, View):
    permission_required = "programs.change_cohort"

    def post(self, request, pk):
        cohort = selectors.cohort_get(pk=pk)
        try:
            cohort = services.cohort_transition(
                actor=request.user, cohort=cohort, action=request.POST.get("action", "")
            )
        except ValidationError as error:
            flash_service_error(request, error)
        else:
            messages.success(request, _("Status angkatan kini: %(s)s.") % {"s": cohort.get_status_display()})
        return redirect("programs:cohort_detail", pk=pk)


class CohortRuleView(PermissionMixin, View):
    permission_required = "programs.change_cohort"
    template_name = "programs/cohort_rule.html"

    def get(self, request, pk):
        cohort = selectors.cohort_get(pk=pk)
        rule_data, rows = rule_initial(cohort.eligibility_rule)
        context = {
            "cohort": cohort,
            "rule_form": RuleForm(initial=rule_data),
            "formset": ConditionFormSet(initial=rows, prefix="syarat"),
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        cohort = selectors.cohort_get(pk=pk)
        rule_form = RuleForm(request.POST)
        formset = ConditionFormSet(request.POST, prefix="syarat")
        if rule_form.is_valid() and formset.is_valid():
            conditions = [
                f.cleaned_data["condition"]
                for f in formset.forms
                if f.cleaned_data.get("condition") and not f.cleaned_data.get("DELETE")
            ]
            rule = {"combinator": rule_form.cleaned_data["combinator"], "conditions": conditions}
            try:
                services.cohort_update(actor=request.user, cohort=cohort, data={"eligibility_rule": rule})
            except ValidationError as error:
                flash_service_error(request, error)
            else:
                messages.success(request, _("Aturan kelayakan disimpan."))
                return redirect("programs:cohort_detail", pk=pk)
        context = {"cohort": cohort, "rule_form": rule_form, "formset": formset}
        return render(request, self.template_name, context, status=400)


class CandidateListView(PermissionMixin, TemplateView):
    permission_required = "programs.add_enrollment"
    template_name = "programs/candidate_list.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohort = selectors.cohort_get(pk=self.kwargs["pk"])
        query = CandidateFilter(self.request.GET, queryset=Member.objects.none()).query
        if query:
            members = selectors.member_search_for_cohort(user=self.request.user, cohort=cohort, query=query)
        else:
            members = selectors.candidates(user=self.request.user, cohort=cohort)
        page = Paginator(members, self.paginate_by).get_page(self.request.GET.get("halaman"))
        context.update(cohort=cohort, page_obj=page, members=page.object_list, query=query)
        return context


class EnrollmentCreateView(PermissionMixin, View):
    """Registers one or more members (checkboxes on the candidate list, or one member with an override)."""

    permission_required = "programs.add_enrollment"

    def post(self, request, pk):
        cohort = selectors.cohort_get(pk=pk)
        form = EnrollForm(request.POST)
        form.is_valid()
        override = form.cleaned_data.get("override_reason", "")
        ids = [v for v in request.POST.getlist("member") if v.isdigit()]
        if not ids:
            messages.error(request, _("Pilih paling sedikit satu anggota untuk didaftarkan."))
            return redirect("programs:candidate_list", pk=pk)
        members = selectors.members_get_for_user(user=request.user, ids=ids)
        accept = request.POST.get("accept") != "0"
        accepted, waitlisted, applied, errors = 0, 0, 0, []
        for member in members:
            try:
                enrollment = services.enrollment_create(
                    actor=request.user, cohort=cohort, member=member, override_reason=override, accept=accept
                )
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                if enrollment.status == EnrollmentStatus.WAITLISTED:
                    waitlisted += 1
                elif enrollment.status == EnrollmentStatus.APPLIED:
                    applied += 1
                else:
                    accepted += 1
        if accepted:
            messages.success(request, _("%(n)s anggota diterima sebagai peserta.") % {"n": accepted})
        if waitlisted:
            messages.warning(request, _("Kuota penuh: %(n)s anggota masuk daftar tunggu.") % {"n": waitlisted})
        if applied:
            messages.info(request, _("%(n)s anggota diajukan dan menunggu keputusan.") % {"n": applied})
        for error in errors:
            messages.error(request, error)
        target = "programs:cohort_detail" if accepted or waitlisted or applied else "programs:candidate_list"
        return redirect(target, pk=pk)


class EnrollmentActionView(PermissionMixin, View):
    permission_required = "programs.change_enrollment"

    def post(self, request, pk):
        enrollment = selectors.enrollment_get_for_user(user=request.user, pk=pk)
        try:
            services.enrollment_transition(
                actor=request.user,
                enrollment=enrollment,
                action=request.POST.get("action", ""),
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            flash_service_error(request, error)
        else:
            messages.success(request, _("Status %(name)s diperbarui.") % {"name": enrollment.member.full_name})
        return redirect("programs:cohort_detail", pk=enrollment.cohort_id)


class CohortCompleteView(PermissionMixin, View):
    permission_required = "programs.change_cohort"

    def post(self, request, pk):
        cohort = selectors.cohort_get(pk=pk)
        try:
            passed, failed = services.cohort_complete_all(actor=request.user, cohort=cohort)
        except ValidationError as error:
            flash_service_error(request, error)
        else:
            messages.success(request, _("%(p)s peserta lulus, %(f)s tidak lulus.") % {"p": passed, "f": failed})
        return redirect("programs:cohort_detail", pk=pk)


class SessionCreateView(PermissionMixin, View):
    permission_required = "programs.add_trainingsession"

    def post(self, request, pk):
        cohort = selectors.cohort_get(pk=pk)
        form = SessionForm(request.POST, instance=TrainingSession(cohort=cohort))
        if form.is_valid():
            try:
                services.session_create(actor=request.user, cohort=cohort, data=form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
        if form.errors:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else _("Sesi")
                for error in errors:
                    messages.error(request, f"{label}: {error}")
        else:
            messages.success(request, _("Sesi ditambahkan."))
        return redirect("programs:cohort_detail", pk=pk)


# --- attendance -------------------------------------------------------------------------------------------


class AttendanceView(PermissionMixin, View):
    """One screen per session: a checklist of participants with large touch targets."""

    permission_required = "programs.add_attendance"
    template_name = "programs/attendance_form.html"

    def context(self, session, rows, errors=()):
        return {
            "session": session,
            "cohort": session.cohort,
            "rows": rows,
            "errors": errors,
            "is_future": session.held_on > timezone.localdate(),
            "statuses": EnrollmentStatus,
        }

    def get(self, request, pk):
        session = selectors.session_get(pk=pk)
        rows = selectors.session_checklist(user=request.user, session=session)
        return render(request, self.template_name, self.context(session, rows))

    def post(self, request, pk):
        session = selectors.session_get(pk=pk)
        rows = selectors.session_checklist(user=request.user, session=session)
        present = [v for v in request.POST.getlist("hadir") if v.isdigit()]
        try:
            count = services.attendance_record(actor=request.user, session=session, present_ids=present)
        except ValidationError as error:
            for row in rows:
                row.is_present = str(row.pk) in present
            return render(request, self.template_name, self.context(session, rows, error.messages), status=400)
        messages.success(request, _("Kehadiran disimpan: %(n)s hadir.") % {"n": count})
        return redirect("programs:cohort_detail", pk=session.cohort_id)


# --- certificates -----------------------------------------------------------------------------------------


class CertificateDownloadView(PermissionMixin, View):
    permission_required = "programs.view_enrollment"

    def get(self, request, pk):
        enrollment = selectors.enrollment_get_for_user(user=request.user, pk=pk)
        if enrollment.status != EnrollmentStatus.COMPLETED:
            raise Http404
        verify_url = request.build_absolute_uri(
            reverse("programs:certificate_verify", kwargs={"code": enrollment.certificate_code})
        )
        pdf = certificates.render_certificate(enrollment=enrollment, verify_url=verify_url)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="sertifikat-{enrollment.certificate_code}.pdf"'
        return response


def certificate_verify(request, code):
    """Public: anyone holding the paper can check it. Shows initials, program and cohort only."""
    enrollment = selectors.certificate_by_code(code=code)
    context = {"code": code.upper()[:16]}
    if enrollment is not None:
        context.update(
            initials=selectors.initials(enrollment.member.full_name),
            program=enrollment.cohort.program.name,
            cohort=enrollment.cohort,
            completed_on=enrollment.completed_on,
        )
    return render(request, "programs/certificate_verify.html", context, status=200 if enrollment else 404)


# --- follow-ups and outcomes ------------------------------------------------------------------------------


class FollowUpListView(PermissionMixin, TemplateView):
    permission_required = "programs.view_followup"
    template_name = "programs/followup_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.followups_due(user=self.request.user, today=timezone.localdate()), 25)
        context["page_obj"] = paginator.get_page(self.request.GET.get("halaman"))
        return context


class OutcomeCreateView(PermissionMixin, View):
    permission_required = "programs.add_outcome"
    template_name = "programs/outcome_form.html"

    def get(self, request, pk):
        follow_up = selectors.followup_get_for_user(user=request.user, pk=pk)
        form = OutcomeForm(initial={"recorded_on": timezone.localdate()})
        return render(request, self.template_name, {"form": form, "follow_up": follow_up})

    def post(self, request, pk):
        follow_up = selectors.followup_get_for_user(user=request.user, pk=pk)
        form = OutcomeForm(request.POST, instance=Outcome())
        if form.is_valid():
            try:
                services.outcome_record(actor=request.user, follow_up=follow_up, data=form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Hasil tindak lanjut disimpan."))
                return redirect("programs:followup_list")
        return render(request, self.template_name, {"form": form, "follow_up": follow_up}, status=400)


# --- group enterprises ------------------------------------------------------------------------------------


class EnterpriseListView(PermissionMixin, TemplateView):
    permission_required = "programs.view_groupenterprise"
    template_name = "programs/enterprise_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["enterprises"] = selectors.enterprise_list(user=self.request.user)
        return context


class EnterpriseCreateView(PermissionMixin, View):
    permission_required = "programs.add_groupenterprise"
    template_name = "programs/enterprise_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": EnterpriseForm()})

    def post(self, request):
        form = EnterpriseForm(request.POST)
        if form.is_valid():
            try:
                enterprise = services.enterprise_create(actor=request.user, data=form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return redirect("programs:enterprise_detail", pk=enterprise.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class EnterpriseDetailView(PermissionMixin, View):
    permission_required = "programs.view_groupenterprise"
    template_name = "programs/enterprise_detail.html"

    def context(self, request, enterprise, form=None, member_form=None):
        can_manage = request.user.has_perm("programs.add_groupmembership")
        if can_manage and member_form is None:
            members = selectors.enterprise_member_choices(user=request.user, enterprise=enterprise)
            member_form = EnterpriseMemberForm(members=members, initial={"joined_on": timezone.localdate()})
        return {
            "member_form": member_form if can_manage else None,
            "enterprise": enterprise,
            "memberships": selectors.enterprise_memberships(user=request.user, enterprise=enterprise),
            "member_total": enterprise.memberships.count(),
            "sales": list(enterprise.sales.all()[:24]),
            "form": form or SaleForm(),
            "can_record": request.user.has_perm("programs.add_groupsale"),
        }

    def get(self, request, pk):
        enterprise = selectors.enterprise_get(user=request.user, pk=pk)
        return render(request, self.template_name, self.context(request, enterprise))

    def post(self, request, pk):
        enterprise = selectors.enterprise_get(user=request.user, pk=pk)
        if "member" in request.POST:
            return self.add_member(request, enterprise)
        if not request.user.has_perm("programs.add_groupsale"):
            raise PermissionDenied
        form = SaleForm(request.POST)
        if form.is_valid():
            try:
                services.sale_record(actor=request.user, enterprise=enterprise, data=form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Penjualan dicatat."))
                return redirect("programs:enterprise_detail", pk=pk)
        return render(request, self.template_name, self.context(request, enterprise, form), status=400)

    def add_member(self, request, enterprise):
        if not request.user.has_perm("programs.add_groupmembership"):
            raise PermissionDenied
        members = selectors.enterprise_member_choices(user=request.user, enterprise=enterprise)
        form = EnterpriseMemberForm(request.POST, members=members)
        if form.is_valid():
            try:
                services.enterprise_add_member(
                    actor=request.user,
                    enterprise=enterprise,
                    member=form.cleaned_data["member"],
                    role=form.cleaned_data["role"],
                    joined_on=form.cleaned_data["joined_on"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Anggota kelompok ditambahkan."))
                return redirect("programs:enterprise_detail", pk=enterprise.pk)
        return render(request, self.template_name, self.context(request, enterprise, member_form=form), status=400)


# --- dashboard --------------------------------------------------------------------------------------------


class DashboardView(PermissionMixin, TemplateView):
    permission_required = "programs.view_program_dashboard"
    template_name = "programs/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programs = list(Program.objects.order_by("name"))
        program = cohort = None
        program_id, cohort_id = DashboardFilter(self.request.GET, queryset=Enrollment.objects.none()).ids()
        if program_id is not None:
            program = next((p for p in programs if p.pk == program_id), None)
            if program is None:
                raise Http404
        cohorts = list(program.cohorts.order_by("number")) if program else []
        if program and cohort_id is not None:
            cohort = next((c for c in cohorts if c.pk == cohort_id), None)
            if cohort is None:
                raise Http404
        data = selectors.dashboard(user=self.request.user, program=program, cohort=cohort)
        labels = {c.pk: c.label for c in cohorts} if program else {p.pk: p.name for p in programs}
        for row in data["breakdown"]:
            row["label"] = labels.get(row["id"], "")
        context.update(
            programs=programs,
            program=program,
            cohorts=cohorts,
            cohort=cohort,
            data=data,
            breakdown_title=_("Per angkatan") if program else _("Per program"),
            statuses=CohortStatus,
        )
        return context
