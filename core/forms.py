"""Form helpers shared by every app."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


def add_service_error(form, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form: each field's messages on that field when the form has it,
    otherwise above the form. (`form.add_error(None, exc)` raises ValueError when the service names a field the
    form does not show, and the user would get a 500 instead of the message.)"""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, errors)
    else:
        form.add_error(None, exc)


class FormRenderer(Jinja2):
    """Form widgets rendered with Jinja2 (Django's own `django/forms/jinja2` templates, the same HTML).

    A filter form is a dozen small widget templates per page; with the template language they cost about 10 ms
    of CPU per list page, about a quarter of the page (docs/quality.md P2). A widget whose template exists only for
    the template language (a third-party widget) is rendered with it, as before."""

    @cached_property
    def fallback(self):
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)


def flash_service_error(request, exc: ValidationError) -> None:
    """A service's ValidationError on a page without a form of its fields (a button, a redirect after POST): one
    message each, shown above the page it goes to. With a form, use `add_service_error`."""
    from django.contrib import messages

    for message in exc.messages:
        messages.error(request, message)
