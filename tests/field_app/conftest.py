"""Fixtures of the field app: built through the aid models here, so that they do not depend on other apps' test
helpers that are still changing. Shared by tests/e2e/test_field_app.py (imported from there)."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from aid_distribution.models import (
    AidPackage,
    DistributionRound,
    Entitlement,
    Institution,
    InstitutionKind,
    InstitutionMembership,
    RoundStatus,
)
from beneficiaries import choices
from tests.factories.accounts import UserFactory
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.core import RTFactory, kelurahan

HEADS = ["Siti Aminah", "Budi Santoso", "Rahmat Hidayat", "Dewi Lestari", "Agus Salim"]


def make_institution(name: str) -> Institution:
    return Institution.objects.create(name=name, kind=InstitutionKind.LKS, address="Jl. Ki Merogan, Kertapati")


def make_worker(institution: Institution, username: str):
    user = UserFactory(username=username, role=Role.PETUGAS_LEMBAGA, first_name="Petugas", last_name=username)
    InstitutionMembership.objects.create(user=user, institution=institution)
    return user


def make_round(institution: Institution, *, name: str, households: int, approver, status=RoundStatus.DISTRIBUTING):
    package, _ = AidPackage.objects.get_or_create(name="Paket Sembako Uji", defaults={"estimated_value": 200_000})
    round_ = DistributionRound.objects.create(
        institution=institution,
        name=name,
        period=datetime.date(2025, 8, 1),
        package=package,
        status=status,
        approved_by=approver,
        approved_at=timezone.now(),
    )
    place = kelurahan("Keramasan")
    for index in range(households):
        rt = RTFactory(kelurahan=place, number=index % 3 + 1, rw=1)
        household = HouseholdFactory(kelurahan=place, rt=rt, address=f"Jl. Mataram Lr. Damai No. {index + 1}")
        MemberFactory(household=household, full_name=HEADS[index % len(HEADS)], relationship=choices.Relationship.HEAD)
        MemberFactory(
            household=household,
            full_name=f"Anak {HEADS[index % len(HEADS)].split()[0]}",
            relationship=choices.Relationship.CHILD,
            birth_date=datetime.date(2010, 3, 4),
        )
        Entitlement.objects.create(round=round_, household=household)
    return round_


@pytest.fixture
def approver(db):
    return UserFactory(username="uji.penyetuju", role=Role.STAF_KECAMATAN)


@pytest.fixture
def institution(db):
    return make_institution("LKS Peduli Uji")


@pytest.fixture
def worker(institution):
    return make_worker(institution, "petugas.satu")


@pytest.fixture
def worker_two(institution):
    return make_worker(institution, "petugas.dua")


@pytest.fixture
def aid_round(institution, approver):
    return make_round(institution, name="Sembako Agustus", households=4, approver=approver)
