import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Role
from core.models import RT
from core.scoping import ScopedQuerySet
from tests.factories.accounts import UserFactory
from tests.factories.core import RTFactory


@pytest.mark.django_db
def test_every_role_has_its_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.label for r in Role}


@pytest.mark.django_db
def test_role_decides_group_and_staff_status(keramasan):
    user = UserFactory(role=Role.STAF_KELURAHAN, kelurahan=keramasan)
    assert list(user.groups.values_list("name", flat=True)) == ["Staf Kelurahan"]
    assert not user.is_staff
    user.role = Role.ADMIN
    user.save()
    services.user_apply_role(actor=None, user=user)
    assert list(user.groups.values_list("name", flat=True)) == ["Admin"]
    assert user.is_staff


@pytest.mark.django_db
def test_staf_kelurahan_needs_a_kelurahan():
    with pytest.raises(ValidationError) as error:
        services.user_create(actor=None, username="tanpa.kel", password=None, role=Role.STAF_KELURAHAN)
    assert "kelurahan" in str(error.value)


@pytest.mark.django_db
def test_admin_group_has_every_permission_and_others_only_declared():
    from django.contrib.auth.models import Permission

    assert Group.objects.get(name="Admin").permissions.count() == Permission.objects.count()
    assert Group.objects.get(name="Pimpinan").permissions.filter(codename="change_rt").count() == 0


def _rts(user):
    return ScopedQuerySet(model=RT).visible_to(user)


@pytest.mark.django_db
def test_visible_to_scopes_by_kelurahan(
    keramasan, kemang_agung, user_kelurahan, user_kecamatan, user_admin, user_pimpinan, user_lembaga
):
    in_scope = RTFactory(kelurahan=keramasan)
    out_of_scope = RTFactory(kelurahan=kemang_agung)
    assert list(_rts(user_kelurahan)) == [in_scope]
    assert set(_rts(user_kecamatan)) == {in_scope, out_of_scope}  # empty scope = all six
    assert set(_rts(user_admin)) == {in_scope, out_of_scope}
    assert list(_rts(user_pimpinan)) == []  # aggregates only, never lists of personal data
    assert list(_rts(user_lembaga)) == []  # reaches households through its institution only


@pytest.mark.django_db
def test_visible_to_respects_kecamatan_scope_set(keramasan, kemang_agung):
    user = UserFactory(role=Role.STAF_KECAMATAN, kelurahan_set=[kemang_agung])
    RTFactory(kelurahan=keramasan)
    visible = RTFactory(kelurahan=kemang_agung)
    assert list(_rts(user)) == [visible]


@pytest.mark.django_db
def test_visible_to_anonymous_and_inactive_see_nothing(keramasan, user_kecamatan):
    from django.contrib.auth.models import AnonymousUser

    RTFactory(kelurahan=keramasan)
    assert list(_rts(AnonymousUser())) == []
    user_kecamatan.is_active = False
    assert list(_rts(user_kecamatan)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("pendek1", "terlalu pendek"),
        ("8301927465019", "seluruhnya terdiri dari angka"),
        ("password123", "terlalu umum"),
        ("rudi.hartono.kel", "terlalu mirip"),
    ],
)
def test_password_policy(password, reason):
    with pytest.raises(ValidationError) as error:
        services.user_create(actor=None, username="rudi.hartono.kel", password=password, role=Role.STAF_KECAMATAN)
    assert reason in " ".join(error.value.messages)


@pytest.mark.django_db
def test_only_an_admin_creates_accounts(user_kecamatan, user_admin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.user_create(actor=user_kecamatan, username="baru.satu", password=None, role=Role.PIMPINAN)
    user = services.user_create(actor=user_admin, username="baru.dua", password=None, role=Role.PIMPINAN)
    assert list(user.groups.values_list("name", flat=True)) == ["Pimpinan"]
    with pytest.raises(PermissionDenied):
        services.user_apply_role(actor=user_kecamatan, user=user)
