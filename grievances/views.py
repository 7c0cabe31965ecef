"""Thin views: parse input, call one service or selector, render or redirect (docs/architecture.md §6 rule 1)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from beneficiaries import selectors as registry
from core.access import PermissionMixin
from core.audit import audit_event, client_ip
from core.forms import add_service_error, flash_service_error
from core.models import AuditAction
from grievances import changes, forms, selectors, services
from grievances.filters import ChangeRequestFilter, GrievanceFilter
from grievances.models import Category, ChangeRequestStatus, Status

PAGE_SIZE = 25


class GrievanceListView(PermissionMixin, TemplateView):
    permission_required = selectors.VIEW_PERMISSION
    template_name = "grievances/grievance_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        filterset = GrievanceFilter(self.request.GET or None, queryset=selectors.grievance_list(user=user), user=user)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter=filterset,
            page_obj=page,
            grievances=page.object_list,
            query=query.urlencode(),
            today=timezone.localdate(),
            can_change=user.has_perm(services.CHANGE_PERMISSION),
            bulk_form=forms.BulkActionForm(),
        )
        return context


class GrievanceCreateView(PermissionMixin, FormView):
    permission_required = "grievances.add_grievance"
    template_name = "grievances/grievance_form.html"
    form_class = forms.GrievanceForm

    def dispatch(self, request, *args, **kwargs):
        self.household = None
        household_id = request.GET.get("household")
        if household_id and request.user.is_authenticated:
            self.household = registry.household_get_for_user(user=request.user, pk=household_id)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = {"received_on": timezone.localdate()}
        if self.request.GET.get("category") in Category.values:
            initial["category"] = self.request.GET["category"]
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "household": self.household}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "household": self.household}

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            grievance = services.grievance_create(actor=self.request.user, **data)
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Pengaduan #%(id)s dicatat. Batas waktu: %(due)s.")
            % {"id": grievance.pk, "due": grievance.due_on.strftime("%d-%m-%Y")},
        )
        if self.request.user.has_perm(selectors.VIEW_PERMISSION):
            try:
                selectors.grievance_get_for_user(user=self.request.user, pk=grievance.pk)
                return redirect("grievances:grievance_detail", pk=grievance.pk)
            except Http404:
                pass  # a sensitive grievance logged by someone who may not read it afterwards
        return redirect("grievances:grievance_list")


class GrievanceDetailView(PermissionMixin, TemplateView):
    permission_required = selectors.VIEW_PERMISSION
    template_name = "grievances/grievance_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        grievance = selectors.grievance_get_for_user(user=user, pk=kwargs["pk"])
        can_change = user.has_perm(services.CHANGE_PERMISSION) and grievance.is_open
        context.update(
            grievance=grievance,
            can_change=can_change,
            assign_form=kwargs.get("assign_form")
            or (
                forms.AssignForm(kelurahan_id=grievance.kelurahan_id, initial={"assignee": grievance.assigned_to_id})
                if can_change
                else None
            ),
            status_form=kwargs.get("status_form") or (forms.StatusForm(grievance=grievance) if can_change else None),
            change_requests=selectors.grievance_change_requests(user=user, grievance=grievance),
            can_request_change=(
                grievance.category == Category.DATA_SALAH
                and grievance.household_id is not None
                and user.has_perm("grievances.add_changerequest")
            ),
        )
        return context


class GrievanceAssignView(PermissionMixin, View):
    permission_required = services.CHANGE_PERMISSION

    def post(self, request, pk):
        grievance = selectors.grievance_get_for_user(user=request.user, pk=pk)
        form = forms.AssignForm(request.POST, kelurahan_id=grievance.kelurahan_id)
        if form.is_valid():
            try:
                services.grievance_assign(
                    actor=request.user, grievance=grievance, assignee=form.cleaned_data["assignee"]
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, _("Pengaduan ditugaskan kepada %(user)s.") % {"user": form.cleaned_data["assignee"]}
                )
                return redirect("grievances:grievance_detail", pk=pk)
        view = GrievanceDetailView(request=request, kwargs={"pk": pk})
        return view.render_to_response(view.get_context_data(pk=pk, assign_form=form), status=400)


class GrievanceStatusView(PermissionMixin, View):
    permission_required = services.CHANGE_PERMISSION

    def post(self, request, pk):
        grievance = selectors.grievance_get_for_user(user=request.user, pk=pk)
        form = forms.StatusForm(request.POST, grievance=grievance)
        if form.is_valid():
            try:
                services.grievance_transition(
                    actor=request.user,
                    grievance=grievance,
                    to_status=form.cleaned_data["to_status"],
                    answer=form.cleaned_data["answer"],
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Status pengaduan diubah menjadi %(status)s.")
                    % {"status": Status(form.cleaned_data["to_status"]).label},
                )
                return redirect("grievances:grievance_detail", pk=pk)
        view = GrievanceDetailView(request=request, kwargs={"pk": pk})
        return view.render_to_response(view.get_context_data(pk=pk, status_form=form), status=400)


class GrievanceBulkView(PermissionMixin, View):
    permission_required = services.CHANGE_PERMISSION

    def post(self, request):
        form = forms.BulkActionForm(request.POST)
        back = reverse("grievances:grievance_list")
        if request.POST.get("next", "").startswith(back):
            back = request.POST["next"]
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        data = form.cleaned_data
        try:
            if data["action"] == form.ACTION_ASSIGN:
                result = services.grievances_bulk_assign(actor=request.user, ids=data["ids"], assignee=data["assignee"])
            else:
                result = services.grievances_bulk_transition(
                    actor=request.user, ids=data["ids"], to_status=data["to_status"], answer=data["answer"]
                )
        except ValidationError as exc:
            flash_service_error(request, exc)
            return redirect(back)
        if result.changed:
            messages.success(
                request,
                _("%(n)s pengaduan diubah: %(ids)s.")
                % {"n": len(result.changed), "ids": ", ".join(f"#{pk}" for pk in result.changed)},
            )
        if result.skipped:
            messages.warning(
                request,
                _("%(n)s pengaduan dilewati: %(list)s.")
                % {"n": len(result.skipped), "list": "; ".join(f"#{pk} ({why})" for pk, why in result.skipped)},
            )
        return redirect(back)


class MyTasksView(PermissionMixin, TemplateView):
    """Every signed-in user has a task list; the selector scopes it to what is theirs."""

    template_name = "grievances/my_tasks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.my_tasks(user=self.request.user))
        return context


class GrievanceStatsView(PermissionMixin, TemplateView):
    permission_required = selectors.STATS_PERMISSION
    template_name = "grievances/grievance_stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = forms.StatsPeriodForm(self.request.GET or None)
        today = timezone.localdate()
        start, end = today.replace(month=1, day=1), today
        if form.is_bound and form.is_valid():
            start = form.cleaned_data.get("start") or start
            end = form.cleaned_data.get("end") or end
        elif not form.is_bound:
            form = forms.StatsPeriodForm(initial={"start": start, "end": end})
        context.update(
            form=form,
            summary=selectors.grievance_summary(
                period_start=start, period_end=end, kelurahan_ids=selectors.stats_kelurahan_ids(self.request.user)
            ),
        )
        return context


# --- Change requests --------------------------------------------------------------------------------------


class ChangeRequestListView(PermissionMixin, TemplateView):
    permission_required = "grievances.view_changerequest"
    template_name = "grievances/changerequest_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        filterset = ChangeRequestFilter(self.request.GET or None, queryset=selectors.change_request_list(user=user))
        queryset = filterset.qs
        status = filterset.form.cleaned_data.get("status", "") if filterset.is_bound and filterset.is_valid() else ""
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        masked = not user.has_perm("beneficiaries.reveal_nik")
        for item in page.object_list:
            item.label = changes.field_label(is_member=bool(item.member_id), field_name=item.field_name)
            item.is_masked_field = masked and item.field_name in changes.MASKED_FIELDS
        context.update(page_obj=page, requests=page.object_list, status=status, statuses=ChangeRequestStatus.choices)
        return context


class ChangeRequestCreateView(PermissionMixin, FormView):
    permission_required = "grievances.add_changerequest"
    template_name = "grievances/changerequest_form.html"
    form_class = forms.ChangeRequestForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.grievance = None
        self.member = None
        source = request.GET if request.method == "GET" else request.POST
        if source.get("grievance"):
            self.grievance = selectors.grievance_get_for_user(user=request.user, pk=source["grievance"])
        if source.get("member"):
            self.member = registry.member_get_for_user(user=request.user, pk=source["member"])
            self.household = self.member.household
        elif source.get("household"):
            self.household = registry.household_get_for_user(user=request.user, pk=source["household"])
        elif self.grievance is not None and self.grievance.household_id:
            self.household = registry.household_get_for_user(user=request.user, pk=self.grievance.household_id)
            if self.grievance.member_id:
                self.member = registry.member_get_for_user(user=request.user, pk=self.grievance.member_id)
        else:
            messages.info(
                request, _("Ajukan perubahan data dari halaman pengaduan (kategori data salah) atau keluarga.")
            )
            return redirect("grievances:changerequest_list")
        self.field_name = source.get("field_name") or None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "household": self.household,
            "member": self.member,
            "field_name": self.field_name,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = registry.household_members(household=self.household) if self.member is None else []
        current = None
        if self.field_name and "new_value" in context["form"].fields:
            field = context["form"].target._meta.get_field(self.field_name)
            current = changes.display(
                field,
                changes.current_value(context["form"].target, self.field_name),
                masked=not self.request.user.has_perm("beneficiaries.reveal_nik"),
            )
        context.update(
            household=self.household,
            member=self.member,
            grievance=self.grievance,
            members=[m for m in members if m.is_active],
            field_label=changes.field_label(is_member=self.member is not None, field_name=self.field_name or ""),
            current_display=current,
        )
        return context

    def form_valid(self, form):
        if "new_value" not in form.fields:
            return self.form_invalid(form)
        try:
            change_request = services.change_request_create(
                actor=self.request.user,
                household=self.household,
                member=self.member,
                field_name=form.cleaned_data["field_name"],
                new_value=form.cleaned_data["new_value"],
                reason=form.cleaned_data["reason"],
                evidence=form.cleaned_data.get("evidence"),
                grievance=self.grievance,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Permintaan perubahan data #%(id)s diajukan dan menunggu persetujuan.") % {"id": change_request.pk},
        )
        return redirect("grievances:changerequest_detail", pk=change_request.pk)


class ChangeRequestDetailView(PermissionMixin, TemplateView):
    permission_required = "grievances.view_changerequest"
    template_name = "grievances/changerequest_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        change_request = kwargs.get("change_request") or selectors.change_request_get_for_user(
            user=user, pk=kwargs["pk"]
        )
        context.update(
            change_request=change_request,
            values=changes.describe(change_request, masked=not user.has_perm("beneficiaries.reveal_nik")),
            can_decide=(
                change_request.status == ChangeRequestStatus.MENUNGGU
                and user.has_perm(services.APPROVE_PERMISSION)
                and change_request.requested_by_id != user.pk
            ),
            is_author=change_request.requested_by_id == user.pk,
            decision_error=kwargs.get("decision_error"),
        )
        return context


class ChangeRequestDecideView(PermissionMixin, View):
    permission_required = services.APPROVE_PERMISSION

    def post(self, request, pk):
        change_request = selectors.change_request_get_for_user(user=request.user, pk=pk)
        decision = request.POST.get("decision")
        note = request.POST.get("note", "")
        try:
            if decision == "approve":
                services.change_request_approve(actor=request.user, change_request=change_request, note=note)
                messages.success(request, _("Permintaan disetujui; data registri sudah diperbarui."))
            elif decision == "reject":
                services.change_request_reject(actor=request.user, change_request=change_request, note=note)
                messages.success(request, _("Permintaan ditolak."))
            else:
                raise ValidationError(_("Keputusan tidak dikenal: pilih setujui atau tolak."), code="bad_decision")
        except ValidationError as exc:
            view = ChangeRequestDetailView(request=request, kwargs={"pk": pk})
            context = view.get_context_data(pk=pk, change_request=change_request, decision_error=" ".join(exc.messages))
            return view.render_to_response(context, status=400)
        return redirect("grievances:changerequest_detail", pk=pk)


class ChangeRequestEvidenceView(PermissionMixin, View):
    """The evidence file, only for who may see the request, always as a download (never rendered inline)."""

    permission_required = "grievances.view_changerequest"

    def get(self, request, pk):
        change_request = selectors.change_request_get_for_user(user=request.user, pk=pk)
        if not change_request.evidence:
            raise Http404
        try:
            handle = change_request.evidence.open("rb")
        except FileNotFoundError:
            raise Http404
        audit_event(
            action=AuditAction.OTHER,
            request=request,
            obj=change_request,
            detail={"what": "change_request_evidence_download"},
        )
        name = f"bukti-perubahan-{change_request.pk}{change_request.evidence.name[change_request.evidence.name.rfind('.') :]}"
        return FileResponse(handle, as_attachment=True, filename=name)


class SubjectRequestListView(PermissionMixin, TemplateView):
    permission_required = "grievances.view_subjectrequest"
    template_name = "grievances/subjectrequest_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.subject_request_list(user=self.request.user), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        context.update(page_obj=page, requests=page.object_list)
        return context


class SubjectRequestCreateView(PermissionMixin, FormView):
    permission_required = "grievances.add_subjectrequest"
    template_name = "grievances/subjectrequest_form.html"
    form_class = forms.SubjectRequestForm

    def dispatch(self, request, *args, **kwargs):
        self.member = None
        member_pk = request.GET.get("member")
        if member_pk and request.user.is_authenticated:
            self.member = registry.member_get_for_user(user=request.user, pk=member_pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "member": self.member}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "member": self.member}

    def form_valid(self, form):
        try:
            obj = services.subject_request_create(
                actor=self.request.user,
                ip=client_ip(self.request),
                kind=form.cleaned_data["kind"],
                requester_name=form.cleaned_data["requester_name"],
                requester_contact=form.cleaned_data["requester_contact"],
                detail=form.cleaned_data["detail"],
                kelurahan=form.cleaned_data.get("kelurahan"),
                member=self.member,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Permintaan subjek data dicatat. Batas waktu: 3 x 24 jam."))
        return redirect("grievances:subjectrequest_detail", pk=obj.pk)


class SubjectRequestDetailView(PermissionMixin, FormView):
    permission_required = "grievances.view_subjectrequest"
    template_name = "grievances/subjectrequest_detail.html"
    form_class = forms.SubjectRequestUpdateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = selectors.subject_request_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"status": self.object.status, "response": self.object.response}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "object": self.object,
            "can_change": self.request.user.has_perm("grievances.change_subjectrequest") and self.object.is_open,
        }

    def form_valid(self, form):
        if not self.request.user.has_perm("grievances.change_subjectrequest"):
            raise Http404
        try:
            services.subject_request_transition(
                actor=self.request.user,
                ip=client_ip(self.request),
                subject_request=self.object,
                to_status=form.cleaned_data["status"],
                response=form.cleaned_data["response"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Permintaan subjek data diperbarui."))
        return redirect("grievances:subjectrequest_detail", pk=self.object.pk)
