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
