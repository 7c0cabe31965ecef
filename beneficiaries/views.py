"""Thin views of the registry: parse input, call one service or selector, render (style.md rule 1)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from beneficiaries import exporting, selectors, services
from beneficiaries.forms import (
    ConsentForm,
    DeactivateForm,
    DuplicateDecisionForm,
    HouseholdForm,
    ImportUploadForm,
    MemberCreateFormSet,
    MemberFormSet,
    MemberMoveForm,
    SearchForm,
)
from beneficiaries.models import Household, Member
from beneficiaries.services import importing
from beneficiaries.tasks import commit_import_batch_task, validate_import_batch_task
from core.forms import add_service_error
from core.models import AuditAction
from core.panels import panels_for


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class RegistryPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous users go to the login page; signed-in users without the permission get 403."""

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()


# --- List and search ------------------------------------------------------------------------------------


class HouseholdListView(RegistryPermissionMixin, TemplateView):
    permission_required = "beneficiaries.view_household"
    template_name = "beneficiaries/household_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        params = self.request.GET
        filterset = selectors.household_filterset(user=user, data=params)
        queryset = filterset.qs if filterset.is_valid() else Household.objects.none()
        page = selectors.keyset_page(
            queryset,
            after=_int_or_none(params.get("after")),
            before=_int_or_none(params.get("before")),
            last=params.get("last") == "1",
        )
        base = params.copy()
        for key in ("after", "before", "last"):
            base.pop(key, None)
        context.update(
            filter=filterset,
            page=page,
            count=selectors.estimated_count(queryset) if filterset.is_valid() else selectors.RowCount(0, True),
            query_base=base.urlencode(),
            search_form=SearchForm(),
            can_export=user.has_perm("beneficiaries.export_household"),
            can_add=user.has_perm("beneficiaries.add_household"),
        )
        return context


class HouseholdSearchView(RegistryPermissionMixin, View):
    """NIK, KK or name search by POST: the number never appears in a URL or an access log."""

    permission_required = "beneficiaries.view_household"
    template_name = "beneficiaries/household_search.html"

    def get(self, request):
        return render(request, self.template_name, {"form": SearchForm()})

    def post(self, request):
        form = SearchForm(request.POST)
        results, searched = [], False
        if form.is_valid():
            searched = True
            kind, q = form.cleaned_data["kind"], form.cleaned_data["q"]
            if kind == "nik":
                member = selectors.member_nik_lookup(user=request.user, nik=q)
                results = [member] if member else []
            elif kind == "kk":
                household = selectors.household_kk_lookup(user=request.user, kk_number=q)
                if household is not None:
                    return redirect("beneficiaries:household_detail", pk=household.pk)
            else:
                results = selectors.member_name_search(user=request.user, name=q)
        return render(
            request,
            self.template_name,
            {"form": form, "results": results, "searched": searched, "search_limit": selectors.SEARCH_LIMIT},
        )


# --- Detail, reveal, subject request ----------------------------------------------------------------------


class HouseholdDetailView(RegistryPermissionMixin, View):
    permission_required = "beneficiaries.view_household"
    template_name = "beneficiaries/household_detail.html"

    def get(self, request, pk):
        return self.render_page(request, selectors.household_get_for_user(user=request.user, pk=pk))

    def render_page(self, request, household, *, revealed: bool = False):
        user = request.user
        members = selectors.household_members(household=household)
        context = {
            "household": household,
            "members": members,
            "history": selectors.household_history(household=household, members=members),
            "consents": selectors.household_consents(household=household),
            "consent_form": ConsentForm(initial={"consented_on": timezone.localdate()}),
            "can_consent": user.has_perm("beneficiaries.add_consent"),
            "panels": panels_for(model_label="beneficiaries.Household", viewer=user, obj=household),
            "revealed": revealed,
            "can_reveal": user.has_perm("beneficiaries.reveal_nik"),
            "can_sensitive": user.has_perm("beneficiaries.view_sensitive"),
            "can_change": user.has_perm("beneficiaries.change_household"),
            "can_subject_request": user.has_perm("beneficiaries.handle_subject_request"),
        }
        return render(request, self.template_name, context)


class HouseholdRevealView(HouseholdDetailView):
    """POST "tampilkan": shows the full NIK/KK once, after writing an audit event without the numbers."""

    permission_required = "beneficiaries.reveal_nik"

    def get(self, request, pk):
        return redirect("beneficiaries:household_detail", pk=pk)

    def post(self, request, pk):
        household = selectors.household_get_for_user(user=request.user, pk=pk)
        services.access_event_record(
            actor=request.user,
            action=AuditAction.NIK_REVEAL,
            object_label=f"Household #{household.pk}",
            obj=household,
            ip=client_ip(request),
        )
        return self.render_page(request, household, revealed=True)


class SubjectRequestView(RegistryPermissionMixin, View):
    """A data-subject request (UU PDP Pasal 32): the full record of one person, as JSON or XLSX, logged."""

    permission_required = "beneficiaries.handle_subject_request"

    def post(self, request, pk):
        member = selectors.member_get_for_user(user=request.user, pk=pk)
        record = exporting.subject_record(member)
        services.access_event_record(
            actor=request.user,
            action=AuditAction.DATA_SUBJECT_REQUEST,
            object_label=f"Member #{member.pk}",
            obj=member,
            ip=client_ip(request),
        )
        stamp = timezone.localdate().strftime("%Y%m%d")
        if request.POST.get("format") == "xlsx":
            return FileResponse(
                exporting.subject_record_xlsx(record),
                as_attachment=True,
                filename=f"data-pribadi-anggota-{member.pk}-{stamp}.xlsx",
            )
        response = HttpResponse(
            json.dumps(record, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="data-pribadi-anggota-{member.pk}-{stamp}.json"'
        return response


# --- Register and edit ------------------------------------------------------------------------------------


def _apply_service_error(error: ValidationError, form, formset) -> tuple[list[str], str]:
    """Puts a service error on the field it names; returns (non-field messages, link to an existing record)."""
    link = ""
    loose = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                link = link or (item.params or {}).get("url", "")
                target = form if field in form.fields else None
                message = item.message % item.params if item.params else item.message
                if target is not None:
                    target.add_error(field, message)
                else:
                    loose.append(message)
        return loose, link
    for item in error.error_list:
        params = item.params or {}
        link = link or params.get("url", "")
        message = item.message % params if params else item.message
        index = params.get("index")
        if index is not None and formset is not None:
            forms = [f for f in formset.forms if f.has_changed() or f.instance.pk]
            if 0 <= index < len(forms):
                forms[index].add_error("nik", message)
                continue
        loose.append(message)
    return loose, link


class HouseholdFormView(RegistryPermissionMixin, View):
    template_name = "beneficiaries/household_form.html"

    def get_household(self, request, pk):
        return None

    def get(self, request, pk=None):
        household = self.get_household(request, pk)
        form = HouseholdForm(instance=household, user=request.user)
        return self.render_form(request, household, form, self.make_formset(request, household))

    def make_formset(self, request, household, data=None):
        formset_class = MemberFormSet if household else MemberCreateFormSet
        return formset_class(
            data,
            instance=household or Household(),
            queryset=Member.objects.filter(household=household, is_active=True) if household else Member.objects.none(),
            user=request.user,
            prefix="anggota",
        )

    def render_form(self, request, household, form, formset, warnings=(), errors=(), link=""):
        return render(
            request,
            self.template_name,
            {
                "household": household,
                "form": form,
                "formset": formset,
                "warnings": warnings,
                "service_errors": errors,
                "collision_link": link,
            },
        )

    def post(self, request, pk=None):
        household = self.get_household(request, pk)
        form = HouseholdForm(request.POST, instance=household, user=request.user)
        formset = self.make_formset(request, household, request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_form(request, household, form, formset)
        confirmed = request.POST.get("confirm_warnings") == "on"
        rows = formset.member_rows()
        data = dict(form.cleaned_data.items())
        try:
            if household is None:
                household = services.household_register(
                    actor=request.user,
                    household_data=data,
                    members=[{k: v for k, v in row.items() if k != "id"} for row in rows],
                    warnings_confirmed=confirmed,
                )
                messages.success(request, _("Keluarga berhasil didaftarkan."))
            else:
                household = Household.objects.get(pk=household.pk)
                services.household_save_with_members(
                    actor=request.user, household=household, data=data, members=rows, warnings_confirmed=confirmed
                )
                messages.success(request, _("Data keluarga berhasil disimpan."))
        except ValidationError as error:
            if services.is_unconfirmed_warning(error):
                return self.render_form(request, household, form, formset, warnings=error.messages)
            loose, link = _apply_service_error(error, form, formset)
            return self.render_form(request, household, form, formset, errors=loose, link=link)
        return redirect("beneficiaries:household_detail", pk=household.pk)


class HouseholdCreateView(HouseholdFormView):
    permission_required = "beneficiaries.add_household"


class HouseholdUpdateView(HouseholdFormView):
    permission_required = "beneficiaries.change_household"

    def get_household(self, request, pk):
        return selectors.household_get_for_user(user=request.user, pk=pk)


# --- Move and deactivate ----------------------------------------------------------------------------------


class MemberMoveView(RegistryPermissionMixin, View):
    permission_required = "beneficiaries.change_member"
    template_name = "beneficiaries/member_move.html"

    def get(self, request, pk):
        member = selectors.member_get_for_user(user=request.user, pk=pk)
        return render(request, self.template_name, {"member": member, "form": MemberMoveForm(user=request.user)})

    def post(self, request, pk):
        member = selectors.member_get_for_user(user=request.user, pk=pk)
        form = MemberMoveForm(request.POST, user=request.user)
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                if cleaned["mode"] == "existing":
                    target = selectors.household_kk_lookup(user=request.user, kk_number=cleaned["target_kk"])
                    if target is None or not target.is_active:
                        raise ValidationError({"target_kk": _("Keluarga dengan nomor KK ini tidak ditemukan.")})
                    services.member_move(
                        actor=request.user,
                        member=member,
                        to_household=target,
                        relationship=cleaned["relationship"],
                        note=cleaned["note"],
                    )
                else:
                    services.member_move(
                        actor=request.user,
                        member=member,
                        new_household_data={
                            "kk_number": cleaned["new_kk"],
                            "rt": cleaned["new_rt"],
                            "address": cleaned["new_address"],
                        },
                        relationship=cleaned["relationship"],
                        note=cleaned["note"],
                    )
            except ValidationError as error:
                field_map = {"kk_number": "new_kk", "relationship": "relationship", "target_kk": "target_kk"}
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        for item in errors:
                            text = item.message % item.params if item.params else item.message
                            form.add_error(field_map.get(field), text)
                else:
                    for text in error.messages:
                        form.add_error(None, text)
            else:
                messages.success(request, _("Anggota berhasil dipindahkan."))
                return redirect("beneficiaries:household_detail", pk=member.household_id)
        return render(request, self.template_name, {"member": member, "form": form})


class HouseholdDeactivateView(RegistryPermissionMixin, View):
    permission_required = "beneficiaries.change_household"
    template_name = "beneficiaries/deactivate.html"

    def get_object(self, request, pk):
        return selectors.household_get_for_user(user=request.user, pk=pk)

    def get(self, request, pk):
        return render(request, self.template_name, {"object": self.get_object(request, pk), "form": DeactivateForm()})

    def post(self, request, pk):
        obj = self.get_object(request, pk)
        form = DeactivateForm(request.POST)
        if form.is_valid():
            try:
                self.deactivate(request, obj, form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Data dinonaktifkan."))
                return redirect("beneficiaries:household_detail", pk=getattr(obj, "household_id", obj.pk))
        return render(request, self.template_name, {"object": obj, "form": form})

    def deactivate(self, request, obj, cleaned):
        services.household_deactivate(actor=request.user, household=obj, reason=cleaned["reason"], note=cleaned["note"])


class MemberDeactivateView(HouseholdDeactivateView):
    permission_required = "beneficiaries.change_member"

    def get_object(self, request, pk):
        return selectors.member_get_for_user(user=request.user, pk=pk)

    def deactivate(self, request, obj, cleaned):
        services.member_deactivate(actor=request.user, member=obj, reason=cleaned["reason"], note=cleaned["note"])


# --- Export ---------------------------------------------------------------------------------------------


class HouseholdExportView(RegistryPermissionMixin, View):
    """POST with the list's filters: a logged export, streamed, masked unless the user may reveal."""

    permission_required = "beneficiaries.export_household"

    def post(self, request):
        filters = request.POST.copy()
        filters.pop("csrfmiddlewaretoken", None)
        queryset = selectors.household_list(user=request.user, filters=filters)
        reveal = request.user.has_perm("beneficiaries.reveal_nik") and request.POST.get("reveal") == "on"
        fmt = "xlsx" if request.POST.get("format") == "xlsx" else "csv"
        summary = ", ".join(f"{k}={v}" for k, v in sorted(filters.items()) if v and k not in ("format", "reveal"))
        services.access_event_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            object_label=f"{fmt} {'lengkap' if reveal else 'tersamar'} [{summary}]",
            ip=client_ip(request),
        )
        rows = exporting.export_rows(queryset, reveal=reveal)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if fmt == "xlsx":
            return FileResponse(
                exporting.xlsx_file(rows, title=_("Keluarga")), as_attachment=True, filename=f"keluarga-{stamp}.xlsx"
            )
        response = StreamingHttpResponse(exporting.csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="keluarga-{stamp}.csv"'
        return response


# --- Duplicates -----------------------------------------------------------------------------------------


class DuplicateListView(RegistryPermissionMixin, TemplateView):
    permission_required = "beneficiaries.view_duplicateflag"
    template_name = "beneficiaries/duplicateflag_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["flags"] = list(selectors.duplicate_queue(user=self.request.user)[:100])
        context["can_detect"] = self.request.user.has_perm("beneficiaries.change_duplicateflag")
        return context

    def post(self, request):
        if not request.user.has_perm("beneficiaries.change_duplicateflag"):
            raise PermissionDenied
        from beneficiaries.tasks import detect_duplicates_task

        scope = request.user.kelurahan_scope()
        kelurahan_ids = scope if scope is not None else [None]
        for kelurahan_id in kelurahan_ids:
            transaction.on_commit(lambda k=kelurahan_id: detect_duplicates_task.delay(k))
        messages.info(request, _("Pencarian data ganda sedang berjalan; muat ulang halaman ini sebentar lagi."))
        return redirect("beneficiaries:duplicate_list")


class DuplicateDetailView(RegistryPermissionMixin, View):
    permission_required = "beneficiaries.change_duplicateflag"
    template_name = "beneficiaries/duplicateflag_detail.html"

    def get(self, request, pk):
        flag = selectors.duplicate_get_for_user(user=request.user, pk=pk)
        return render(request, self.template_name, {"flag": flag, "form": DuplicateDecisionForm()})

    def post(self, request, pk):
        flag = selectors.duplicate_get_for_user(user=request.user, pk=pk)
        form = DuplicateDecisionForm(request.POST)
        if form.is_valid():
            decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
            try:
                if decision == "dismiss":
                    services.duplicate_dismiss(actor=request.user, flag=flag, note=note)
                    messages.success(request, _("Ditandai bukan data ganda."))
                else:
                    keep = flag.member if decision == "keep_member" else flag.other
                    services.duplicate_merge(actor=request.user, flag=flag, keep=keep, note=note)
                    messages.success(request, _("Data digabung; data yang lain dinonaktifkan sebagai data ganda."))
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return redirect("beneficiaries:duplicate_list")
        return render(request, self.template_name, {"flag": flag, "form": form})


# --- Import ---------------------------------------------------------------------------------------------


class ImportListView(RegistryPermissionMixin, View):
    permission_required = "beneficiaries.add_importbatch"
    template_name = "beneficiaries/importbatch_list.html"

    def get(self, request):
        return self.render_page(request, ImportUploadForm())

    def render_page(self, request, form):
        batches = selectors.import_batches(user=request.user)[:20]
        return render(request, self.template_name, {"form": form, "batches": batches})

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = importing.import_batch_create(actor=request.user, uploaded_file=form.cleaned_data["file"])
            except ValidationError as error:
                form.add_error("file", error)
            else:
                transaction.on_commit(lambda: validate_import_batch_task.delay(batch.pk))
                return redirect("beneficiaries:import_detail", pk=batch.pk)
        return self.render_page(request, form)


class ImportTemplateView(RegistryPermissionMixin, View):
    permission_required = "beneficiaries.add_importbatch"

    def get(self, request):
        response = HttpResponse(
            importing.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="templat-impor-keluarga.xlsx"'
        return response


class ImportDetailView(RegistryPermissionMixin, View):
    permission_required = "beneficiaries.add_importbatch"
    template_name = "beneficiaries/importbatch_detail.html"

    def get(self, request, pk):
        batch = selectors.import_batch_get_for_user(user=request.user, pk=pk)
        if request.htmx and request.GET.get("partial") == "progress":
            if not batch.is_running:
                # The work is done: tell htmx to reload the whole page with the preview.
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return render(request, "beneficiaries/_import_progress.html", {"batch": batch})
        context = {
            "batch": batch,
            "rejected": list(selectors.import_rows_rejected(batch)[:500]),
            "accepted": list(selectors.import_rows_accepted(batch)[:50]),
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        batch = selectors.import_batch_get_for_user(user=request.user, pk=pk)
        try:
            if request.POST.get("action") == "commit":
                if importing.import_batch_request_commit(actor=request.user, batch=batch):
                    user_id = request.user.pk
                    transaction.on_commit(lambda: commit_import_batch_task.delay(batch.pk, user_id))
                    messages.info(request, _("Data sedang disimpan; halaman ini diperbarui sendiri."))
            elif request.POST.get("action") == "cancel":
                importing.import_batch_cancel(actor=request.user, batch=batch)
                messages.info(request, _("Impor dibatalkan."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("beneficiaries:import_detail", args=[batch.pk]))


# --- Consent --------------------------------------------------------------------------------------------


class ConsentCreateView(RegistryPermissionMixin, View):
    permission_required = "beneficiaries.add_consent"

    def post(self, request, pk):
        household = selectors.household_get_for_user(user=request.user, pk=pk)
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                services.consent_record(actor=request.user, household=household, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Persetujuan dicatat."))
        else:
            messages.error(request, _("Persetujuan belum lengkap: isi nama, tujuan, versi dan tanggal."))
        return redirect("beneficiaries:household_detail", pk=household.pk)


class ConsentWithdrawView(RegistryPermissionMixin, View):
    permission_required = "beneficiaries.change_consent"

    def post(self, request, pk):
        consent = selectors.consent_get_for_user(user=request.user, pk=pk)
        try:
            services.consent_withdraw(actor=request.user, consent=consent, withdrawn_on=timezone.localdate())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Persetujuan ditarik."))
        return redirect("beneficiaries:household_detail", pk=consent.household_id)


class ImportRejectedCsvView(RegistryPermissionMixin, View):
    """Every rejected row with its reasons (the page shows the first 500), as CSV for the uploader to fix."""

    permission_required = "beneficiaries.add_importbatch"

    def get(self, request, pk):
        batch = selectors.import_batch_get_for_user(user=request.user, pk=pk)

        def rows():
            for row in selectors.import_rows_rejected(batch).iterator(chunk_size=2000):
                for error in row.errors:
                    yield [row.row_number, error["column"], exporting.neutralise(error["message"])]

        response = StreamingHttpResponse(
            exporting.csv_stream(rows(), header=[_("Baris"), _("Kolom"), _("Masalah")]),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="impor-{batch.pk}-ditolak.csv"'
        return response
