"""Thin views of the registry: parse input, call one service or selector, render (docs/architecture.md §6 rule 1)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from beneficiaries import exporting, selectors, services
from beneficiaries.filters import KeysetCursorFilter
from beneficiaries.forms import (
    ConsentForm,
    DeactivateForm,
    DuplicateDecisionForm,
    HouseholdFlagResolveForm,
    HouseholdForm,
    ImportActionForm,
    ImportUploadForm,
    MemberCreateFormSet,
    MemberDeactivateForm,
    MemberFormSet,
    MemberMoveWithSuccessorForm,
    SearchForm,
)
from beneficiaries.models import DuplicateFlag, Household, HouseholdFlag, ImportBatch, Member
from beneficiaries.services import importing
from core.access import PermissionMixin
from core.audit import client_ip
from core.forms import add_service_error
from core.models import AuditAction
from core.panels import panels_for

# --- List and search ------------------------------------------------------------------------------------


class HouseholdListView(PermissionMixin, TemplateView):
    permission_required = "beneficiaries.view_household"
    template_name = "beneficiaries/household_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        params = self.request.GET
        filterset = selectors.household_filterset(user=user, data=params)
        queryset = filterset.qs if filterset.is_valid() else Household.objects.none()
        page = selectors.keyset_page(queryset, **KeysetCursorFilter(params).cursor)
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


class HouseholdSearchView(PermissionMixin, View):
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


class HouseholdDetailView(PermissionMixin, View):
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


class SubjectRequestView(PermissionMixin, View):
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


def _collision_link(error: ValidationError) -> str:
    """The link to an existing record that a NIK/KK collision carries (only when the user may see it)."""
    items = sum(error.error_dict.values(), []) if hasattr(error, "error_dict") else error.error_list
    for item in items:
        if url := (item.params or {}).get("url"):
            return url
    return ""


def _show_service_error(error: ValidationError, form, formset) -> str:
    """A service error on the household form: a member's error (its `index` param) on that member's form, the
    rest through `add_service_error`. Returns the link to an existing record, if the error carries one."""
    if hasattr(error, "error_dict"):
        add_service_error(form, error)
        return _collision_link(error)
    member_forms = [f for f in formset.forms if f.has_changed() or f.instance.pk]
    rest = []
    for item in error.error_list:
        params = item.params or {}
        index = params.get("index")
        if index is not None and 0 <= index < len(member_forms):
            add_service_error(member_forms[index], ValidationError({params.get("field", "nik"): [item]}))
        else:
            rest.append(item)
    if rest:
        add_service_error(form, ValidationError(rest))
    return _collision_link(error)


class HouseholdFormView(PermissionMixin, View):
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

    def render_form(self, request, household, form, formset, warnings=(), link=""):
        return render(
            request,
            self.template_name,
            {
                "household": household,
                "form": form,
                "formset": formset,
                "warnings": warnings,
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
            link = _show_service_error(error, form, formset)
            return self.render_form(request, household, form, formset, link=link)
        return redirect("beneficiaries:household_detail", pk=household.pk)


class HouseholdCreateView(HouseholdFormView):
    permission_required = "beneficiaries.add_household"


class HouseholdUpdateView(HouseholdFormView):
    permission_required = "beneficiaries.change_household"

    def get_household(self, request, pk):
        return selectors.household_get_for_user(user=request.user, pk=pk)


# --- Move and deactivate ----------------------------------------------------------------------------------


class MemberMoveView(PermissionMixin, View):
    permission_required = "beneficiaries.change_member"
    template_name = "beneficiaries/member_move.html"
    FIELD_NAMES = {"kk_number": "new_kk"}

    def get(self, request, pk):
        member = selectors.member_get_for_user(user=request.user, pk=pk)
        form = MemberMoveWithSuccessorForm(user=request.user, member=member)
        return render(request, self.template_name, {"member": member, "form": form})

    def post(self, request, pk):
        member = selectors.member_get_for_user(user=request.user, pk=pk)
        form = MemberMoveWithSuccessorForm(request.POST, user=request.user, member=member)
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
                        new_head=cleaned.get("new_head"),
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
                        new_head=cleaned.get("new_head"),
                    )
            except ValidationError as error:
                if hasattr(error, "error_dict"):  # the service names the new KK "kk_number"; the form, "new_kk"
                    error = ValidationError({self.FIELD_NAMES.get(f, f): e for f, e in error.error_dict.items()})
                add_service_error(form, error)
            else:
                messages.success(request, _("Anggota berhasil dipindahkan."))
                return redirect("beneficiaries:household_detail", pk=member.household_id)
        return render(request, self.template_name, {"member": member, "form": form})


class HouseholdDeactivateView(PermissionMixin, View):
    permission_required = "beneficiaries.change_household"
    template_name = "beneficiaries/deactivate.html"

    def get_object(self, request, pk):
        return selectors.household_get_for_user(user=request.user, pk=pk)

    def make_form(self, obj, data=None):
        return DeactivateForm(data)

    def get(self, request, pk):
        obj = self.get_object(request, pk)
        return render(request, self.template_name, {"object": obj, "form": self.make_form(obj)})

    def post(self, request, pk):
        obj = self.get_object(request, pk)
        form = self.make_form(obj, request.POST)
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

    def make_form(self, obj, data=None):
        return MemberDeactivateForm(data, member=obj)

    def deactivate(self, request, obj, cleaned):
        services.member_deactivate(
            actor=request.user,
            member=obj,
            reason=cleaned["reason"],
            note=cleaned["note"],
            new_head=cleaned.get("new_head"),
        )


# --- Export ---------------------------------------------------------------------------------------------


class HouseholdExportView(PermissionMixin, View):
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


class DuplicateListView(PermissionMixin, TemplateView):
    permission_required = "beneficiaries.view_duplicateflag"
    template_name = "beneficiaries/duplicateflag_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["flags"] = list(selectors.duplicate_queue(user=user)[:100])
        context["can_detect"] = user.has_perm("beneficiaries.change_duplicateflag")
        if user.has_perm("beneficiaries.view_householdflag"):
            context["show_household_flags"] = True
            context["household_flags"] = list(selectors.household_flag_queue(user=user)[:100])
            context["can_resolve"] = user.has_perm("beneficiaries.change_householdflag")
        return context

    def post(self, request):
        services.duplicates_scan_request(actor=request.user)
        messages.info(request, _("Pencarian data ganda sedang berjalan; muat ulang halaman ini sebentar lagi."))
        return redirect("beneficiaries:duplicate_list")


class DuplicateDetailView(PermissionMixin, View):
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
                    services.duplicate_transition(
                        actor=request.user, flag=flag, action=DuplicateFlag.Action.DISMISS, note=note
                    )
                    messages.success(request, _("Ditandai bukan data ganda."))
                else:
                    keep = flag.member if decision == "keep_member" else flag.other
                    services.duplicate_transition(
                        actor=request.user, flag=flag, action=DuplicateFlag.Action.MERGE, keep=keep, note=note
                    )
                    messages.success(request, _("Data digabung; data yang lain dinonaktifkan sebagai data ganda."))
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return redirect("beneficiaries:duplicate_list")
        return render(request, self.template_name, {"flag": flag, "form": form})


class HouseholdFlagResolveView(PermissionMixin, View):
    """ "Sudah diperbaiki" on a data-quality flag: closed only if the household is right now (the service checks)."""

    permission_required = "beneficiaries.change_householdflag"

    def post(self, request, pk):
        flag = selectors.household_flag_get_for_user(user=request.user, pk=pk)
        form = HouseholdFlagResolveForm(request.POST)
        form.is_valid()
        try:
            services.household_flag_transition(
                actor=request.user,
                flag=flag,
                action=HouseholdFlag.Action.RESOLVE,
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Masalah data keluarga ditandai sudah diperbaiki."))
        return redirect("beneficiaries:duplicate_list")


# --- Import ---------------------------------------------------------------------------------------------


class ImportListView(PermissionMixin, View):
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
                add_service_error(form, ValidationError({"file": error.error_list}))
            else:
                return redirect("beneficiaries:import_detail", pk=batch.pk)
        return self.render_page(request, form)


class ImportTemplateView(PermissionMixin, View):
    permission_required = "beneficiaries.add_importbatch"

    def get(self, request):
        response = HttpResponse(
            importing.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="templat-impor-keluarga.xlsx"'
        return response


class ImportDetailView(PermissionMixin, View):
    permission_required = "beneficiaries.add_importbatch"
    template_name = "beneficiaries/importbatch_detail.html"

    def get(self, request, pk):
        batch = selectors.import_batch_get_for_user(user=request.user, pk=pk)
        context = {
            "batch": batch,
            "rejected": list(selectors.import_rows_rejected(batch)[:500]),
            "accepted": list(selectors.import_rows_accepted(batch)[:50]),
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        batch = selectors.import_batch_get_for_user(user=request.user, pk=pk)
        form = ImportActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("action", [])))
        else:
            action = form.cleaned_data["action"]
            try:
                importing.import_batch_transition(actor=request.user, batch=batch, action=action, ip=client_ip(request))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.info(request, IMPORT_ACTION_DONE[action])
        return HttpResponseRedirect(reverse("beneficiaries:import_detail", args=[batch.pk]))


IMPORT_ACTION_DONE = {
    ImportBatch.Action.COMMIT: gettext_lazy("Data sedang disimpan; halaman ini diperbarui sendiri."),
    ImportBatch.Action.CANCEL: gettext_lazy("Impor dibatalkan."),
    ImportBatch.Action.RETRY: gettext_lazy("Impor dijalankan lagi; halaman ini diperbarui sendiri."),
}


class ImportProgressView(PermissionMixin, View):
    """The progress box, polled by htmx every 2 s while the batch is being checked or saved."""

    permission_required = "beneficiaries.add_importbatch"

    def get(self, request, pk):
        batch = selectors.import_batch_get_for_user(user=request.user, pk=pk)
        if not batch.is_running:
            # The work is done: tell htmx to reload the whole page with the preview.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "beneficiaries/_import_progress.html", {"batch": batch})


# --- Consent --------------------------------------------------------------------------------------------


class ConsentCreateView(PermissionMixin, View):
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


class ConsentWithdrawView(PermissionMixin, View):
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


class ImportRejectedCsvView(PermissionMixin, View):
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
