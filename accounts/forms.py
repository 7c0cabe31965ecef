from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        # The same words whether the user exists or not: the page must not reveal which usernames exist.
        "invalid_login": _("Nama pengguna atau kata sandi salah. Periksa kembali lalu coba lagi."),
        "inactive": _("Nama pengguna atau kata sandi salah. Periksa kembali lalu coba lagi."),
    }

    username = forms.CharField(label=_("Nama pengguna"), max_length=150)
    password = forms.CharField(label=_("Kata sandi"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Masuk"), css_class="w-100"))


class TotpForm(forms.Form):
    token = forms.CharField(
        label=_("Kode 6 digit dari aplikasi autentikator"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Verifikasi"), css_class="w-100"))

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Kode hanya berisi angka."), code="not_digits")
        return token
