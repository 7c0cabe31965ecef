"""Thin views: parse, call one service or selector, render (docs/architecture.md §6 rule 1).

Every page inherits `core.access.PermissionMixin` (anonymous visitors go to the login page, a missing permission
is 403, "not yours" is the selectors' 404); a service's ValidationError lands on the form through
`core.forms.add_service_error`, or in a message when the page has no form; GET filters are `filters.py`."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from aid_distribution import pdf, selectors, services
from aid_distribution.forms import (
    CardReissueForm,
    DeliveryForm,
    RoundForm,
    StockMovementForm,
    SupportCaseForm,
    SupportSessionForm,
    TargetForm,
    UndeliveredForm,
)
from aid_distribution.models import RoundAction, RoundStatus, StockKind
from beneficiaries import services as registry_services
from beneficiaries.choices import Relationship
from beneficiaries.selectors import household_get_for_user
from beneficiaries.validators import card_code_display
from core.access import PermissionMixin, is_signed_in
from core.audit import audit_event, client_ip
from core.forms import add_service_error, flash_service_error
from core.models import AuditAction, Kelurahan

PAGE_SIZE = 50


class AidView(PermissionMixin):
    permission_required = "aid_distribution.view_distributionround"

    def get_round(self):
        if not hasattr(self, "_round"):
            self._round = selectors.round_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return self._round


class RoundListView(AidView, TemplateView):
    template_name = "aid_distribution/distributionround_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = selectors.round_filterset(user=self.request.user, data=self.request.GET)
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            statuses=RoundStatus.choices,
            status=(filterset.form.cleaned_data.get("status") or "") if filterset.is_valid() else "",
            can_create=self.request.user.has_perm("aid_distribution.add_distributionround"),
            can_coordinate=self.request.user.has_perm("aid_distribution.view_coordination"),
        )
        return context


class RoundCreateView(AidView, FormView):
    permission_required = "aid_distribution.add_distributionround"
    template_name = "aid_distribution/distributionround_form.html"
    form_class = RoundForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "institutions": selectors.institutions_for_user(user=self.request.user)}

    def form_valid(self, form):
        try:
            round_ = services.round_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Putaran dibuat sebagai draf. Tambahkan penerima."))
        return redirect("aid_distribution:round_target", pk=round_.pk)


class RoundDetailView(AidView, TemplateView):
    template_name = "aid_distribution/distributionround_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_ = self.get_round()
        summary = selectors.stock_summary(round_=round_)
        user = self.request.user
        context.update(
            round=round_,
            summary=summary,
            commodities=selectors.commodity_totals(round_=round_, summary=summary),
            movements=selectors.stock_movements_for_round(round_=round_),
            actions=services.allowed_actions(actor=user, round_=round_),
            action_labels=ACTION_LABELS,
            can_manage=round_.institution_id in services.member_institution_ids(user) or user.is_admin_role,
            can_deliver=round_.status == RoundStatus.DISTRIBUTING
            and round_.institution_id in services.member_institution_ids(user),
            stock_form=StockMovementForm(initial={"kind": StockKind.RECEIVED}),
            entitled=round_.entitlements.count(),
        )
        return context


ACTION_LABELS = dict(RoundAction.choices)


class RoundTransitionView(AidView, View):
    def post(self, request, pk, action):
        round_ = self.get_round()
        try:
            services.round_transition(actor=request.user, round_=round_, action=action)
        except ValidationError as exc:
            flash_service_error(request, exc)
        else:
            messages.success(request, _("Status putaran diperbarui."))
        return redirect("aid_distribution:round_detail", pk=round_.pk)


class RoundTargetView(AidView, TemplateView):
    """Criteria over the registry → a preview with checkboxes → entitlements (before approval only)."""

    permission_required = "aid_distribution.add_entitlement"
    template_name = "aid_distribution/round_target.html"
    PREVIEW_LIMIT = 300

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_ = self.get_round()
        served = round_.institution.kelurahan_served.all()
        kelurahan_qs = served if served.exists() else Kelurahan.objects.all()
        form = TargetForm(self.request.GET or None, kelurahan_queryset=kelurahan_qs)
        candidates = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            criteria = selectors.TargetCriteria(
                max_desil=data["max_desil"],
                kelurahan_ids=tuple(k.pk for k in data["kelurahan"]),
                rt_number=data["rt_number"],
                rw_number=data["rw_number"],
                has_elderly=data["has_elderly"],
                has_disabled=data["has_disabled"],
                has_under_five=data["has_under_five"],
                exclude_served_elsewhere=data["exclude_served_elsewhere"],
            )
            candidates = list(selectors.target_households(round_=round_, criteria=criteria)[: self.PREVIEW_LIMIT])
        lacking_consent = (
            selectors.households_without_aid_consent(household_ids=[h.pk for h in candidates]) if candidates else set()
        )
        context.update(
            round=round_, form=form, candidates=candidates, lacking_consent=lacking_consent, limit=self.PREVIEW_LIMIT
        )
        return context

    def post(self, request, pk):
        round_ = self.get_round()
        ids = [int(v) for v in request.POST.getlist("household") if v.isdigit()]
        try:
            added = services.entitlements_add(actor=request.user, round_=round_, household_ids=ids)
        except ValidationError as exc:
            flash_service_error(request, exc)
            return redirect(request.get_full_path())  # back to the same criteria, nothing was added
        messages.success(request, _("%(n)s keluarga ditambahkan sebagai penerima.") % {"n": added})
        return redirect("aid_distribution:round_households", pk=round_.pk)


class RoundHouseholdsView(AidView, TemplateView):
    """The worker's phone-first page: entitled households, searchable, one big button each."""

    permission_required = "aid_distribution.view_entitlement"
    template_name = "aid_distribution/entitlement_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_ = self.get_round()
        filterset = selectors.entitlement_filterset(user=self.request.user, round_=round_, data=self.request.GET)
        search = (filterset.form.cleaned_data.get("q") or "") if filterset.is_valid() else ""
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        member_of = round_.institution_id in services.member_institution_ids(self.request.user)
        context.update(
            round=round_,
            page=page,
            q=search,
            can_deliver=member_of and round_.status == RoundStatus.DISTRIBUTING,
            can_edit=round_.is_editable and (member_of or self.request.user.is_admin_role),
        )
        return context


class EntitlementRemoveView(AidView, View):
    permission_required = "aid_distribution.delete_entitlement"

    def post(self, request, pk, entitlement_pk):
        entitlement = selectors.entitlement_get_for_user(user=request.user, pk=entitlement_pk, round_id=pk)
        try:
            services.entitlement_remove(actor=request.user, entitlement=entitlement)
        except ValidationError as exc:
            flash_service_error(request, exc)
        else:
            messages.success(request, _("Penerima dihapus dari putaran."))
        return redirect("aid_distribution:round_households", pk=pk)


class CardLookupView(AidView, View):
    """A household card → that household's delivery page, within this round only: the scanned QR (`token`) or
    the code typed from the card (`code`). A typed code that is wrong comes back to the list saying so."""

    permission_required = "aid_distribution.add_delivery"

    def get(self, request, pk):
        try:
            entitlement = selectors.entitlement_by_card(user=request.user, round_=self.get_round(), data=request.GET)
        except ValidationError as exc:
            flash_service_error(request, exc)
            return redirect("aid_distribution:round_households", pk=pk)
        return redirect("aid_distribution:delivery_create", pk=pk, entitlement_pk=entitlement.pk)


class DeliveryCreateView(AidView, TemplateView):
    permission_required = "aid_distribution.add_delivery"
    template_name = "aid_distribution/delivery_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not is_signed_in(request.user):
            return self.handle_no_permission()
        self.entitlement = selectors.entitlement_get_for_user(
            user=request.user, pk=kwargs["entitlement_pk"], round_id=kwargs["pk"]
        )
        self.members = list(selectors.members_of_household(household_id=self.entitlement.household_id))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entitlement = self.entitlement
        delivery = getattr(entitlement, "delivery", None)
        context.setdefault("form", DeliveryForm(members=self.members))
        context.setdefault("undelivered_form", UndeliveredForm())
        context.update(
            round=entitlement.round,
            entitlement=entitlement,
            household=entitlement.household,
            head=next((m for m in self.members if m.relationship == Relationship.HEAD), None),
            delivery=delivery,
            visits=entitlement.undelivered_visits.select_related("recorded_by")[:5],
        )
        return context

    def post(self, request, pk, entitlement_pk):
        form = DeliveryForm(request.POST, request.FILES, members=self.members)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            result = services.delivery_record(
                actor=request.user,
                entitlement=self.entitlement,
                client_uuid=data["client_uuid"],
                delivered_at=data["delivered_at"],
                recipient_member=data.get("member"),
                proxy_name=data["proxy_name"],
                proxy_relation=data["proxy_relation"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                notes=data["notes"],
                photo=data["photo"],
            )
        except services.DeliveryConflict as exc:
            context = self.get_context_data(form=form, conflict=" ".join(exc.messages))
            context["delivery"] = exc.delivery  # the record that won, never the refused one
            return self.render_to_response(context, status=409)
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if result.created:
            messages.success(request, _("Penyerahan tercatat. Terima kasih."))
        else:
            messages.info(request, _("Penyerahan ini sudah tercatat sebelumnya (kiriman ulang)."))
        return redirect("aid_distribution:round_households", pk=pk)


class UndeliveredCreateView(DeliveryCreateView):
    def post(self, request, pk, entitlement_pk):
        form = UndeliveredForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(undelivered_form=form), status=400)
        try:
            services.undelivered_record(
                actor=request.user,
                entitlement=self.entitlement,
                client_uuid=form.cleaned_data["client_uuid"],
                reason=form.cleaned_data["reason"],
                notes=form.cleaned_data["notes"],
            )
        except services.DeliveryConflict as exc:
            return self.render_to_response(self.get_context_data(conflict=" ".join(exc.messages)), status=409)
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.render_to_response(self.get_context_data(undelivered_form=form), status=400)
        messages.success(request, _("Kunjungan tidak tersalurkan tercatat."))
        return redirect("aid_distribution:round_households", pk=pk)


class DeliveryPhotoView(AidView, View):
    permission_required = "aid_distribution.view_delivery"

    def get(self, request, delivery_pk):
        delivery = selectors.delivery_get_for_user(user=request.user, pk=delivery_pk)
        if not delivery.photo:
            raise Http404
        content_type = mimetypes.guess_type(delivery.photo.name)[0] or "image/jpeg"
        response = FileResponse(delivery.photo.open("rb"), content_type=content_type)
        response["Content-Disposition"] = "inline"
        return response


class HouseholdCardView(LoginRequiredMixin, View):
    """The printable household card: a QR that encodes only Household.card_token (never NIK or KK)."""

    def get(self, request, household_pk):
        household = selectors.household_for_card(user=request.user, pk=household_pk)
        head = selectors.head_of_household(household_id=household.pk)
        response = HttpResponse(pdf.household_card(household=household, head=head), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="kartu-keluarga-{household.pk}.pdf"'
        return response


def _cards_response(request, *, rows, title: str, filename: str, obj, scope: dict) -> HttpResponse:
    """Many cards as one PDF (`pdf.household_cards`); printing names and addresses in bulk is an audited export."""
    cards = [
        pdf.Card(household=getattr(row, "household", row), head_name=row.head_name, head_nik=row.head_nik)
        for row in rows
    ]
    audit_event(
        action=AuditAction.EXPORT,
        request=request,
        obj=obj,
        detail={"kind": "household_cards", "cards": len(cards), **scope},
    )
    response = HttpResponse(pdf.household_cards(cards, title=title), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class RoundCardsPdfView(AidView, View):
    """The cards of a round's households as one PDF, ten an A4 sheet, by RT then head's name: for whoever may
    see the round."""

    def get(self, request, pk):
        round_ = self.get_round()
        return _cards_response(
            request,
            rows=selectors.entitlements_for_cards(user=request.user, round_=round_),
            title=_("Kartu penerima · %(round)s") % {"round": round_.name},
            filename=f"kartu-putaran-{round_.pk}.pdf",
            obj=round_,
            scope={"round": round_.pk},
        )


class RtCardsPdfView(PermissionMixin, View):
    """The cards of one RT's active households as one PDF: for registry staff whose kelurahan it is (another
    kelurahan's RT is a 404 before the permission is asked, like every object of this app)."""

    def get(self, request, rt_pk):
        rt = selectors.rt_get_for_user(user=request.user, pk=rt_pk)
        if not request.user.has_perm("beneficiaries.view_household"):
            raise PermissionDenied
        return _cards_response(
            request,
            rows=selectors.households_for_cards(user=request.user, rt=rt),
            title=_("Kartu keluarga · RT %(rt)03d/RW %(rw)03d · Kel. %(kelurahan)s")
            % {"rt": rt.number, "rw": rt.rw, "kelurahan": rt.kelurahan.name},
            filename=f"kartu-rt-{rt.kelurahan_id}-{rt.number:03d}.pdf",
            obj=rt,
            scope={"rt": rt.pk},
        )


class HouseholdCardReissueView(PermissionMixin, View):
    """A lost card replaced (POST with a reason): a new token and code, the old card stops working at once.
    A household outside the registry scope is a 404; the permission is the service's
    (`beneficiaries.services.household_card_reissue`), asked here first only to answer 403."""

    def post(self, request, household_pk):
        household = household_get_for_user(user=request.user, pk=household_pk)
        if not request.user.has_perm("beneficiaries.change_household"):
            raise PermissionDenied
        form = CardReissueForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("reason", [])))
            return redirect("beneficiaries:household_detail", pk=household.pk)
        try:
            household = registry_services.household_card_reissue(
                actor=request.user, household=household, reason=form.cleaned_data["reason"], ip=client_ip(request)
            )
        except ValidationError as exc:
            flash_service_error(request, exc)
        else:
            messages.success(
                request,
                _(
                    "Kartu baru dibuat dengan kode %(code)s. Kartu lama tidak berlaku lagi: cetak dan serahkan kartu baru."
                )
                % {"code": card_code_display(household.card_code)},
            )
        return redirect("beneficiaries:household_detail", pk=household.pk)


class StockMovementCreateView(AidView, View):
    permission_required = "aid_distribution.add_stockmovement"

    def post(self, request, pk):
        round_ = self.get_round()
        form = StockMovementForm(request.POST)
        if form.is_valid():
            try:
                services.stock_movement_record(actor=request.user, round_=round_, **form.cleaned_data)
            except ValidationError as exc:
                flash_service_error(request, exc)
            else:
                messages.success(request, _("Mutasi stok tercatat."))
        else:
            messages.error(request, _("Data stok tidak valid: periksa jumlah dan tanggal."))
        return redirect("aid_distribution:round_detail", pk=round_.pk)


class ReconciliationView(AidView, TemplateView):
    template_name = "aid_distribution/round_reconciliation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_ = self.get_round()
        context.update(
            round=round_,
            recon=selectors.reconciliation(round_=round_),
            summary=selectors.stock_summary(round_=round_),
        )
        return context


class HandoverPdfView(AidView, View):
    def get(self, request, pk):
        round_ = self.get_round()
        if round_.status != RoundStatus.CLOSED:
            messages.error(request, _("Berita acara hanya tersedia untuk putaran yang sudah ditutup."))
            return redirect("aid_distribution:round_detail", pk=pk)
        summary = selectors.stock_summary(round_=round_)
        content = pdf.handover_record(
            round_=round_,
            recon=selectors.reconciliation(round_=round_),
            summary=summary,
            commodities=selectors.commodity_totals(round_=round_, summary=summary),
        )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="berita-acara-putaran-{round_.pk}.pdf"'
        return response


class CoordinationView(PermissionMixin, TemplateView):
    permission_required = "aid_distribution.view_coordination"
    template_name = "aid_distribution/coordination.html"
    LIST_LIMIT = 200

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        period = selectors.month_start()
        double = selectors.double_served_by_kelurahan(user=user, period=period)
        never = selectors.never_served_by_kelurahan(user=user, period=period)
        context.update(
            period=period,
            rows=[
                {"kelurahan": k, "double": double.get(k.pk, 0), "never": never.get(k.pk, 0)}
                for k in Kelurahan.objects.all()
            ],
            double_list=selectors.double_served_households(user=user, period=period)[: self.LIST_LIMIT],
            never_list=selectors.never_served_households(user=user, period=period)[: self.LIST_LIMIT],
            limit=self.LIST_LIMIT,
        )
        return context


# --------------------------------------------------------------------------------------------------------------
# Psychosocial support
# --------------------------------------------------------------------------------------------------------------


def _can_see_support(user) -> bool:
    return user.has_perm("aid_distribution.view_supportcase") or user.has_perm(
        "aid_distribution.view_supportcase_counts"
    )


class SupportCaseListView(PermissionMixin, TemplateView):
    template_name = "aid_distribution/supportcase_list.html"

    def has_permission(self) -> bool:
        return super().has_permission() and _can_see_support(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            cases=selectors.support_cases_for_user(user=user)[:200],
            counts=selectors.support_case_counts(user=user),
            can_open=selectors.counsellor_institutions(user=user).exists(),
        )
        return context


class SupportCaseCreateView(PermissionMixin, FormView):
    """Counsellors only: the institution of the case is the counsellor's."""

    template_name = "aid_distribution/supportcase_form.html"
    form_class = SupportCaseForm

    def has_permission(self) -> bool:
        if not super().has_permission():
            return False
        self.institution = selectors.counsellor_institutions(user=self.request.user).first()
        return self.institution is not None

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "candidates": selectors.support_candidates(user=self.request.user, institution=self.institution),
            "colleagues": selectors.colleague_counsellors(institution=self.institution, exclude_user=self.request.user),
        }

    def form_valid(self, form):
        try:
            case = services.support_case_open(
                actor=self.request.user, institution=self.institution, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Kasus dibuka."))
        return redirect("aid_distribution:supportcase_detail", pk=case.pk)


class SupportCaseDetailView(PermissionMixin, TemplateView):
    """Opening a case is audited (user, case, time, IP; never the notes)."""

    template_name = "aid_distribution/supportcase_detail.html"

    def get(self, request, *args, **kwargs):
        self.case = selectors.support_case_get_for_user(user=request.user, pk=kwargs["pk"])
        services.support_case_log_view(actor=request.user, case=self.case, ip=client_ip(request))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            case=self.case,
            age=services.age_on(self.case.member.birth_date, self.case.opened_on),
            sessions=self.case.sessions.select_related("recorded_by"),
            counsellors=self.case.counsellors.select_related("user"),
            form=SupportSessionForm(),
        )
        return context


class SupportSessionCreateView(PermissionMixin, View):
    def post(self, request, pk):
        case = selectors.support_case_get_for_user(user=request.user, pk=pk)
        form = SupportSessionForm(request.POST)
        if form.is_valid():
            try:
                services.support_session_add(actor=request.user, case=case, **form.cleaned_data)
            except ValidationError as exc:
                flash_service_error(request, exc)
            else:
                messages.success(request, _("Sesi tercatat."))
        else:
            messages.error(request, _("Data sesi tidak valid."))
        return HttpResponseRedirect(reverse("aid_distribution:supportcase_detail", args=[case.pk]))
