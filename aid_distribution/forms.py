import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aid_distribution import photos
from aid_distribution.models import (
    AidPackage,
    Institution,
    SessionKind,
    StockKind,
    UndeliveredReason,
)
from beneficiaries.validators import mask_number
from core.models import Kelurahan


def _helper(label, *, form_tag=True) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    helper.add_input(Submit("submit", label, css_class="btn-touch"))
    return helper


class RoundForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Lembaga"), queryset=Institution.objects.none())
    name = forms.CharField(label=_("Nama putaran"), max_length=150)
    period = forms.DateField(
        label=_("Bulan penyaluran"),
        help_text=_("Tanggal berapa pun di bulan itu, mis. 01-08-2026."),
        input_formats=["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"],
    )
    package = forms.ModelChoiceField(label=_("Paket"), queryset=AidPackage.objects.all())

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        if institutions.count() == 1:
            self.fields["institution"].initial = institutions.first()
        self.helper = _helper(_("Simpan draf"))


class TargetForm(forms.Form):
    max_desil = forms.IntegerField(label=_("Desil paling tinggi"), min_value=1, max_value=10, required=False)
    kelurahan = forms.ModelMultipleChoiceField(
        label=_("Kelurahan"), queryset=Kelurahan.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    rt_number = forms.IntegerField(label=_("Nomor RT"), min_value=1, max_value=999, required=False)
    rw_number = forms.IntegerField(label=_("Nomor RW"), min_value=1, max_value=999, required=False)
    has_elderly = forms.BooleanField(label=_("Ada lansia (60 tahun ke atas)"), required=False)
    has_disabled = forms.BooleanField(label=_("Ada anggota penyandang disabilitas"), required=False)
    has_under_five = forms.BooleanField(label=_("Ada balita (di bawah 5 tahun)"), required=False)
    exclude_served_elsewhere = forms.BooleanField(
        label=_("Belum dilayani lembaga lain bulan ini"), required=False, initial=True
    )

    def __init__(self, *args, kelurahan_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kelurahan_queryset is not None:
            self.fields["kelurahan"].queryset = kelurahan_queryset
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("preview", _("Tampilkan calon penerima"), css_class="btn-touch"))


class DeliveryForm(forms.Form):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    recipient_member = forms.TypedChoiceField(
        label=_("Penerima"), coerce=int, required=False, empty_value=None, widget=forms.RadioSelect
    )
    proxy_name = forms.CharField(label=_("Nama penerima kuasa"), max_length=150, required=False)
    proxy_relation = forms.CharField(
        label=_("Hubungan dengan keluarga"), max_length=100, required=False, help_text=_("mis. tetangga, saudara")
    )
    delivered_at = forms.DateTimeField(
        label=_("Waktu penyerahan"),
        input_formats=["%Y-%m-%dT%H:%M", "%d-%m-%Y %H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    photo = forms.FileField(label=_("Foto bukti (opsional)"), required=False)
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)
    notes = forms.CharField(label=_("Catatan"), max_length=500, required=False, widget=forms.Textarea({"rows": 2}))

    PROXY = -1

    def __init__(self, *args, members, **kwargs):
        kwargs.setdefault(
            "initial",
            {"client_uuid": uuid.uuid4(), "delivered_at": timezone.localtime().replace(second=0, microsecond=0)},
        )
        super().__init__(*args, **kwargs)
        self.members = {m.pk: m for m in members}
        choices = [(m.pk, f"{m.full_name} · {m.get_relationship_display()} · {mask_number(m.nik)}") for m in members]
        choices.append((self.PROXY, _("Diwakilkan (kuasa)")))
        self.fields["recipient_member"].choices = choices
        self.fields["photo"].widget.attrs.update({"accept": "image/*", "capture": "environment"})

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        return photos.photo_check(photo)

    def clean(self):
        data = super().clean()
        choice = data.get("recipient_member")
        if choice is None:
            self.add_error("recipient_member", _("Pilih penerima."))
        elif choice == self.PROXY:
            data["member"] = None
            if not data.get("proxy_name"):
                self.add_error("proxy_name", _("Isi nama penerima kuasa."))
            if not data.get("proxy_relation"):
                self.add_error("proxy_relation", _("Isi hubungan penerima kuasa."))
        elif choice not in self.members:
            self.add_error("recipient_member", _("Penerima bukan anggota keluarga ini."))
        else:
            data["member"] = self.members[choice]
        return data


class UndeliveredForm(forms.Form):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Alasan tidak tersalurkan"), choices=UndeliveredReason.choices)
    notes = forms.CharField(label=_("Catatan"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"client_uuid": uuid.uuid4()})
        super().__init__(*args, **kwargs)


class StockMovementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis"), choices=StockKind.choices)
    quantity = forms.IntegerField(label=_("Jumlah paket"))
    reason = forms.CharField(label=_("Alasan/keterangan"), max_length=300, required=False)
    moved_on = forms.DateField(label=_("Tanggal"), initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Catat stok"), form_tag=False)


class SupportCaseForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Anak/remaja"), queryset=None)
    opened_on = forms.DateField(label=_("Tanggal dibuka"), initial=timezone.localdate)
    reason_over_18 = forms.CharField(label=_("Alasan pendampingan (usia 18–24 tahun)"), max_length=300, required=False)
    guardian_name = forms.CharField(label=_("Nama wali yang menyetujui"), max_length=150)
    guardian_relation = forms.CharField(label=_("Hubungan wali"), max_length=100)
    consent_on = forms.DateField(label=_("Tanggal persetujuan wali"))
    other_counsellors = forms.ModelMultipleChoiceField(
        label=_("Konselor lain"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = candidates
        self.fields["member"].label_from_instance = lambda m: f"{m.full_name} · {m.birth_date:%Y}"
        self.fields["other_counsellors"].queryset = colleagues
        self.fields["other_counsellors"].label_from_instance = lambda m: str(m.user)
        self.helper = _helper(_("Buka kasus"))


class SupportSessionForm(forms.Form):
    held_on = forms.DateField(label=_("Tanggal"), initial=timezone.localdate)
    kind = forms.ChoiceField(label=_("Jenis sesi"), choices=SessionKind.choices)
    notes = forms.CharField(label=_("Catatan"), widget=forms.Textarea({"rows": 4}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Simpan sesi"))


class CardReissueForm(forms.Form):
    """Why a household's card is replaced (kept in the audit log with the old code)."""

    reason = forms.CharField(
        label=_("Alasan penggantian kartu"),
        max_length=300,
        error_messages={
            "required": _("Alasan penggantian kartu wajib diisi."),
            "max_length": _("Alasan penggantian kartu paling banyak %(limit_value)d karakter."),
        },
        widget=forms.TextInput(attrs={"placeholder": _("mis. kartu hilang, rusak terkena banjir")}),
    )
