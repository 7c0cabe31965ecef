"""Forms of the grievance screens (crispy, Indonesian messages that name the field).

A grievance may be linked to a project, a distribution round or a cohort: grievances depends on infrastructure,
aid_distribution and programs openly (the dependency rule: grievances -> beneficiaries, programs,
aid_distribution, infrastructure, accounts, core) and imports their models.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from aid_distribution.models import DistributionRound
from beneficiaries.models import Household, Member
from core.models import RT, Kelurahan
from grievances import changes, selectors, services
from grievances.models import (
    CLOSED_STATUSES,
    Category,
    Channel,
    Grievance,
    Priority,
    Status,
    SubjectRequestKind,
    SubjectRequestStatus,
)
from infrastructure.models import InfrastructureProject
from programs.models import Cohort


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value


class GrievanceForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), choices=[("", "---------"), *Category.choices])
    channel = forms.ChoiceField(label=_("Saluran"), choices=[("", "---------"), *Channel.choices])
    title = forms.CharField(label=_("Pokok pengaduan"), max_length=200)
    description = forms.CharField(label=_("Uraian"), widget=forms.Textarea(attrs={"rows": 4}))
    received_on = forms.DateField(label=_("Tanggal diterima"), widget=DateInput)
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"),
        queryset=Kelurahan.objects.all(),
        required=False,
        help_text=_("Diambil dari keluarga terkait bila diisi."),
    )
    household = forms.ModelChoiceField(
        label=_("ID keluarga terkait"),
        queryset=Household.objects.none(),
        required=False,
        widget=forms.NumberInput,
        error_messages={
            "invalid_choice": _("Keluarga terkait: ID keluarga tidak ditemukan atau di luar wilayah Anda.")
        },
    )
    member = forms.ModelChoiceField(label=_("Anggota keluarga terkait"), queryset=Member.objects.none(), required=False)
    infrastructure_project = forms.ModelChoiceField(
        label=_("Proyek infrastruktur terkait"), queryset=Household.objects.none(), required=False
    )
    distribution_round = forms.ModelChoiceField(
        label=_("Putaran penyaluran terkait"), queryset=Household.objects.none(), required=False
    )
    cohort = forms.ModelChoiceField(
        label=_("Angkatan pelatihan terkait"), queryset=Household.objects.none(), required=False
    )
    is_anonymous = forms.BooleanField(label=_("Pelapor tidak mau disebut namanya (anonim)"), required=False)
    complainant_name = forms.CharField(label=_("Nama pelapor"), max_length=150, required=False)
    complainant_phone = forms.CharField(label=_("Telepon/WhatsApp pelapor"), max_length=20, required=False)
    complainant_address = forms.CharField(label=_("Alamat pelapor"), max_length=200, required=False)
    priority = forms.TypedChoiceField(
        label=_("Prioritas"), choices=Priority.choices, coerce=int, initial=Priority.SEDANG
    )
    is_sensitive = forms.BooleanField(
        label=_("Sensitif (kekerasan atau tentang petugas)"),
        required=False,
        help_text=_("Hanya Admin dan petugas yang ditugasi dapat melihat pengaduan sensitif."),
    )
    assigned_to = forms.ModelChoiceField(label=_("Tugaskan kepada"), queryset=Household.objects.none(), required=False)

    def __init__(self, *args, user, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = _helper()
        scope = user.kelurahan_scope()
        if scope is not None and user.role != Role.PETUGAS_LEMBAGA:
            self.fields["kelurahan"].queryset = Kelurahan.objects.filter(pk__in=scope)
        self.fields["household"].queryset = Household.objects.visible_to(user).active()
        self.fields["infrastructure_project"].queryset = InfrastructureProject.objects.visible_to(user).order_by("name")
        self.fields["distribution_round"].queryset = (
            DistributionRound.objects.visible_to(user).select_related("institution").order_by("-period", "name")
        )
        self.fields["cohort"].queryset = Cohort.objects.select_related("program").order_by("-starts_on")
        # An empty list of links is noise on the form: only links the user can actually choose are offered.
        for name in ("infrastructure_project", "distribution_round", "cohort"):
            if not self.fields[name].queryset.exists():
                del self.fields[name]
        if household is not None:
            self.fields["household"].widget = forms.HiddenInput()
            self.fields["household"].initial = household.pk
            self.fields["kelurahan"].widget = forms.HiddenInput()
            self.fields["kelurahan"].initial = household.kelurahan_id
            self.fields["member"].queryset = Member.objects.visible_to(user).filter(household=household).active()
        else:
            del self.fields["member"]
        if user.has_perm(services.CHANGE_PERMISSION):
            self.fields["assigned_to"].queryset = selectors.assignable_users()
        else:
            del self.fields["assigned_to"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("household") and not cleaned.get("kelurahan") and "household" not in self.errors:
            self.add_error("kelurahan", _("Kelurahan wajib dipilih bila tidak ada keluarga terkait."))
        if not cleaned.get("is_anonymous") and not (cleaned.get("complainant_name") or "").strip():
            self.add_error("complainant_name", _("Nama pelapor wajib diisi, atau centang anonim."))
        return cleaned


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Tugaskan kepada"), queryset=Household.objects.none())

    def __init__(self, *args, kelurahan_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.assignable_users(kelurahan_id=kelurahan_id)
        self.helper = _helper()


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Status baru"), choices=Status.choices)
    answer = forms.CharField(
        label=_("Jawaban untuk pelapor"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Wajib diisi untuk menutup pengaduan (selesai atau ditolak)."),
    )

    def __init__(self, *args, grievance: Grievance, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = services.TRANSITIONS.get(grievance.status, set())
        self.fields["to_status"].choices = [(v, label) for v, label in Status.choices if v in allowed]
        self.helper = _helper()
        # "Closing needs a written answer" is the service's rule; its error lands on `answer` (add_service_error).


class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise ValidationError(_("Pilihan pengaduan tidak valid."), code="invalid")


class BulkActionForm(forms.Form):
    ACTION_ASSIGN = "assign"
    ACTION_STATUS = "status"

    ids = IdListField(
        label=_("Pengaduan terpilih"),
        error_messages={"required": _("Pilih minimal satu pengaduan (centang di daftar).")},
    )
    action = forms.ChoiceField(
        label=_("Tindakan"),
        choices=[
            ("", _("— pilih tindakan —")),
            (ACTION_ASSIGN, _("Tugaskan kepada")),
            (ACTION_STATUS, _("Ubah status")),
        ],
        error_messages={"required": _("Tindakan massal: pilih tindakan terlebih dahulu.")},
    )
    assignee = forms.ModelChoiceField(label=_("Petugas"), queryset=Household.objects.none(), required=False)
    to_status = forms.ChoiceField(
        label=_("Status baru"),
        choices=[("", "---------"), *[(v, lbl) for v, lbl in Status.choices if v != Status.BARU]],
        required=False,
    )
    answer = forms.CharField(
        label=_("Jawaban (untuk menutup)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.assignable_users()

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == self.ACTION_ASSIGN and not cleaned.get("assignee"):
            self.add_error("assignee", _("Tindakan massal: pilih petugas yang ditugasi."))
        if action == self.ACTION_STATUS:
            if not cleaned.get("to_status"):
                self.add_error("to_status", _("Tindakan massal: pilih status baru."))
            elif cleaned["to_status"] in CLOSED_STATUSES and not (cleaned.get("answer") or "").strip():
                self.add_error("answer", _("Tindakan massal: jawaban wajib diisi untuk menutup pengaduan."))
        return cleaned


class ChangeRequestForm(forms.Form):
    field_name = forms.ChoiceField(label=_("Data yang dikoreksi"))
    reason = forms.CharField(label=_("Alasan koreksi"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(
        label=_("Bukti (PDF, JPG atau PNG, maks. 5 MB)"),
        required=False,
        help_text=_("Misalnya foto KK atau KTP terbaru, surat keterangan."),
    )

    def __init__(self, *args, household, member=None, field_name=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        is_member = member is not None
        self.fields["field_name"].choices = [("", "---------"), *changes.field_choices(is_member=is_member)]
        self.target = member if is_member else household
        if field_name in changes.allowed_fields(is_member=is_member):
            self.fields["field_name"].initial = field_name
            self.fields["field_name"].widget = forms.HiddenInput()
            model_field = self.target._meta.get_field(field_name)
            new_field = model_field.formfield(label=_("Nilai baru"), required=not model_field.blank)
            if model_field.name == "rt":
                new_field.queryset = RT.objects.filter(kelurahan_id=household.kelurahan_id, is_active=True)
            if isinstance(new_field, forms.DateField):
                new_field.widget = DateInput()
            self.fields["new_value"] = new_field
            self.order_fields(["field_name", "new_value", "reason", "evidence"])
        else:
            # First step (a GET form): only the choice of field.
            del self.fields["reason"]
            del self.fields["evidence"]


class StatsPeriodForm(forms.Form):
    start = forms.DateField(label=_("Diterima dari tanggal"), widget=DateInput, required=False)
    end = forms.DateField(label=_("sampai tanggal"), widget=DateInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("Periode: tanggal akhir harus sama dengan atau setelah tanggal awal."))
        return cleaned


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis permintaan"), choices=SubjectRequestKind.choices)
    kelurahan = forms.ModelChoiceField(label=_("Kelurahan"), queryset=Kelurahan.objects.none(), required=False)
    requester_name = forms.CharField(label=_("Nama pemohon"), max_length=150)
    requester_contact = forms.CharField(label=_("Kontak pemohon (telepon/alamat)"), max_length=150, required=False)
    detail = forms.CharField(label=_("Isi permintaan"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = user.kelurahan_scope()
        kelurahan = Kelurahan.objects.all()
        self.fields["kelurahan"].queryset = kelurahan if scope is None else kelurahan.filter(pk__in=scope)
        if member is not None:
            del self.fields["kelurahan"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Catat permintaan")))


class SubjectRequestUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=SubjectRequestStatus.choices)
    response = forms.CharField(
        label=_("Jawaban kepada pemohon"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Simpan")))
