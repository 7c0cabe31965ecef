"""Thin views: parse input, call one service or selector, render or redirect."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from beneficiaries.models import Member
from core.forms import add_service_error
from programs import certificates, eligibility, selectors, services
from programs.forms import (
    CohortForm,
    ConditionFormSet,
    DropForm,
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
from programs.models import Cohort, CohortStatus, EnrollmentStatus, Outcome, Program, TrainingSession


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class StaffView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Signed-in users without the permission get 403; anonymous users go to the login page."""


# --- programs ---------------------------------------------------------------------------------------------


class ProgramListView(StaffView, TemplateView):
    permission_required = "programs.view_program"
    template_name = "programs/program_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["programs"] = selectors.program_list(user=self.request.user)
        return context


class ProgramFormView(StaffView):
    permission_required = "programs.change_program"
    template_name = "programs/program_form.html"

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
                program = services.program_save(program=form.instance)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Data berhasil disimpan."))
                return redirect("programs:program_detail", pk=program.pk)
        return render(request, self.template_name, {"form": form, "program": program}, status=400)


class ProgramDetailView(StaffView, TemplateView):
    permission_required = "programs.view_program"
    template_name = "programs/program_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        program = selectors.program_get(pk=self.kwargs["pk"])
        context.update(program=program, cohorts=selectors.cohorts_of_program(program=program))
        return context


# --- cohorts ----------------------------------------------------------------------------------------------


class CohortFormView(StaffView):
    permission_required = "programs.change_cohort"
    template_name = "programs/cohort_form.html"

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
                cohort = services.cohort_save(cohort=form.instance, kelurahan_set=form.cleaned_data["kelurahan_set"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Data berhasil disimpan."))
                return redirect("programs:cohort_detail", pk=cohort.pk)
        context = {"form": form, "cohort": cohort, "program": cohort.program}
        return render(request, self.template_name, context, status=400)


class CohortDetailView(StaffView, TemplateView):
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
        context.update(
            cohort=cohort,
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


class CohortTransitionView(StaffView):
    permission_required = "programs.change_cohort"

    def post(self, request, pk):
        cohort = selectors.cohort_get(pk=pk)
        try:
            cohort = services.cohort_transition(cohort=cohort, action=request.POST.get("action", ""))
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Status angkatan kini: %(s)s.") % {"s": cohort.get_status_display()})
        return redirect("programs:cohort_detail", pk=pk)


class CohortRuleView(StaffView):
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
            try:
                services.cohort_set_rule(
                    cohort=cohort, rule={"combinator": rule_form.cleaned_data["combinator"], "conditions": conditions}
                )
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, _("Aturan kelayakan disimpan."))
                return redirect("programs:cohort_detail", pk=pk)
        context = {"cohort": cohort, "rule_form": rule_form, "formset": formset}
        return render(request, self.template_name, context, status=400)


class CandidateListView(StaffView, TemplateView):
    permission_required = "programs.add_enrollment"
    template_name = "programs/candidate_list.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohort = selectors.cohort_get(pk=self.kwargs["pk"])
        query = self.request.GET.get("q", "").strip()[:100]
        if query:
            members = selectors.member_search_for_cohort(user=self.request.user, cohort=cohort, query=query)
        else:
            members = selectors.candidates(user=self.request.user, cohort=cohort)
        page = Paginator(members, self.paginate_by).get_page(self.request.GET.get("halaman"))
        context.update(cohort=cohort, page_obj=page, members=page.object_list, query=query)
        return context


class EnrollmentCreateView(StaffView):
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
        members = Member.objects.visible_to(request.user).select_related("household").filter(pk__in=ids)
        if len(members) != len(set(ids)):
            raise Http404
        accept = request.POST.get("accept") != "0"
        accepted, waitlisted, applied, errors = 0, 0, 0, []
        for member in members:
            try:
                enrollment = services.enrollment_create(
                    cohort=cohort, member=member, actor=request.user, override_reason=override, accept=accept
                )
            except ValidationError as error:
                errors.append(_error_text(error))
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


class EnrollmentActionView(StaffView):
    permission_required = "programs.change_enrollment"

    def post(self, request, pk):
        enrollment = selectors.enrollment_get_for_user(user=request.user, pk=pk)
        action = request.POST.get("action")
        try:
            if action == "drop":
                form = DropForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Alasan keluar wajib diisi."))
                services.enrollment_drop(enrollment=enrollment, reason=form.cleaned_data["reason"])
            elif action == "complete":
                services.enrollment_complete(enrollment=enrollment)
            elif action == "fail":
                services.enrollment_fail(enrollment=enrollment)
            elif action in ("accept", "reject"):
                services.enrollment_decide(enrollment=enrollment, accept=action == "accept")
            else:
                raise ValidationError(_("Tindakan tidak dikenal."))
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Status %(name)s diperbarui.") % {"name": enrollment.member.full_name})
        return redirect("programs:cohort_detail", pk=enrollment.cohort_id)


class CohortCompleteView(StaffView):
    permission_required = "programs.change_cohort"

    def post(self, request, pk):
        cohort = selectors.cohort_get(pk=pk)
        try:
            passed, failed = services.cohort_complete_all(cohort=cohort)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("%(p)s peserta lulus, %(f)s tidak lulus.") % {"p": passed, "f": failed})
        return redirect("programs:cohort_detail", pk=pk)


class SessionCreateView(StaffView):
    permission_required = "programs.add_trainingsession"

    def post(self, request, pk):
        cohort = selectors.cohort_get(pk=pk)
        form = SessionForm(request.POST, instance=TrainingSession(cohort=cohort))
        if form.is_valid():
            try:
                services.session_save(session=form.instance)
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


class AttendanceView(StaffView):
    """One screen per session: a checklist of participants with large touch targets."""

    permission_required = "programs.add_attendance"
    template_name = "programs/attendance_form.html"

    def context(self, session, rows, error=None):
        return {
            "session": session,
            "cohort": session.cohort,
            "rows": rows,
            "error": error,
            "is_future": session.held_on > timezone.localdate(),
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
            count = services.attendance_record(
                session=session, present_ids=present, enrollments=rows, actor=request.user
            )
        except ValidationError as error:
            for row in rows:
                row.is_present = str(row.pk) in present
            return render(request, self.template_name, self.context(session, rows, _error_text(error)), status=400)
        messages.success(request, _("Kehadiran disimpan: %(n)s hadir.") % {"n": count})
        return redirect("programs:cohort_detail", pk=session.cohort_id)


# --- certificates -----------------------------------------------------------------------------------------


class CertificateDownloadView(StaffView):
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


class FollowUpListView(StaffView, TemplateView):
    permission_required = "programs.view_followup"
    template_name = "programs/followup_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.followups_due(user=self.request.user, today=timezone.localdate()), 25)
        context["page_obj"] = paginator.get_page(self.request.GET.get("halaman"))
        return context


class OutcomeCreateView(StaffView):
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
                services.outcome_record(follow_up=follow_up, outcome=form.instance, actor=request.user)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Hasil tindak lanjut disimpan."))
                return redirect("programs:followup_list")
        return render(request, self.template_name, {"form": form, "follow_up": follow_up}, status=400)


# --- group enterprises ------------------------------------------------------------------------------------


class EnterpriseListView(StaffView, TemplateView):
    permission_required = "programs.view_groupenterprise"
    template_name = "programs/enterprise_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["enterprises"] = selectors.enterprise_list(user=self.request.user)
        return context


class EnterpriseCreateView(StaffView):
    permission_required = "programs.add_groupenterprise"
    template_name = "programs/enterprise_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": EnterpriseForm()})

    def post(self, request):
        form = EnterpriseForm(request.POST)
        if form.is_valid():
            try:
                enterprise = services.enterprise_save(enterprise=form.instance)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return redirect("programs:enterprise_detail", pk=enterprise.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class EnterpriseDetailView(StaffView):
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
            "memberships": enterprise.memberships.filter(member__in=Member.objects.visible_to(request.user))
            .select_related("member")
            .order_by("member__full_name"),
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
            form.instance.enterprise = enterprise
            try:
                with transaction.atomic():
                    services.sale_record(sale=form.instance)
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


class DashboardView(StaffView, TemplateView):
    permission_required = "programs.view_program_dashboard"
    template_name = "programs/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programs = list(Program.objects.order_by("name"))
        program = cohort = None
        program_id = self.request.GET.get("program", "")
        if program_id.isdigit():
            program = next((p for p in programs if p.pk == int(program_id)), None)
            if program is None:
                raise Http404
        cohort_id = self.request.GET.get("angkatan", "")
        cohorts = list(program.cohorts.order_by("number")) if program else []
        if program and cohort_id.isdigit():
            cohort = next((c for c in cohorts if c.pk == int(cohort_id)), None)
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
