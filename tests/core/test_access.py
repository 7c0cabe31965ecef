"""The one page-permission mixin and the one signed-in guard (core.access)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View

from core.access import PermissionMixin, is_signed_in
from tests.factories.accounts import UserFactory


class _Open(PermissionMixin, View):
    def get(self, request):
        return HttpResponse("ok")


class _Guarded(_Open):
    permission_required = "beneficiaries.view_household"


def _get(view, user):
    request = RequestFactory().get("/x/")
    request.user = user
    return view.as_view()(request)


@pytest.mark.django_db
def test_is_signed_in_refuses_anonymous_none_and_inactive():
    assert not is_signed_in(None)
    assert not is_signed_in(AnonymousUser())
    user = UserFactory()
    assert is_signed_in(user)
    user.is_active = False
    assert not is_signed_in(user)


@pytest.mark.django_db
@pytest.mark.parametrize("view", [_Open, _Guarded])
def test_permission_mixin_redirects_anonymous_to_login(view):
    response = _get(view, AnonymousUser())
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


@pytest.mark.django_db
def test_permission_mixin_signed_in_without_permission_is_403(user_lembaga):
    with pytest.raises(PermissionDenied):
        _get(_Guarded, user_lembaga)


@pytest.mark.django_db
def test_permission_mixin_without_permission_required_admits_any_signed_in_user(user_lembaga, user_kelurahan):
    assert _get(_Open, user_lembaga).status_code == 200
    assert _get(_Guarded, user_kelurahan).status_code == 200
