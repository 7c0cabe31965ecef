"""Aid distribution factories (deterministic)."""

import datetime
import uuid

import factory
from django.utils import timezone

from accounts.models import Role
from aid_distribution.models import (
    AidPackage,
    Commodity,
    Delivery,
    DistributionRound,
    Entitlement,
    Institution,
    InstitutionKind,
    InstitutionMembership,
    PackageItem,
    RoundStatus,
    SessionKind,
    SupportCase,
    SupportSession,
)
from tests.factories.accounts import UserFactory
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"LKS Uji {n}")
    kind = InstitutionKind.LKS
    registration_number = factory.Sequence(lambda n: f"LKS/1671/{n:04d}")
    address = "Jl. Ki Merogan, Kertapati"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstitutionMembership

    user = factory.SubFactory(UserFactory, role=Role.PETUGAS_LEMBAGA)
    institution = factory.SubFactory(InstitutionFactory)
    is_counsellor = False


def worker_of(institution, *, username=None, counsellor=False):
    kwargs = {"role": Role.PETUGAS_LEMBAGA}
    if username:
        kwargs["username"] = username
    user = UserFactory(**kwargs)
    InstitutionMembership.objects.create(user=user, institution=institution, is_counsellor=counsellor)
    return user


class CommodityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commodity
        django_get_or_create = ("name",)

    name = "Beras"
    unit = "kg"


class AidPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AidPackage
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Paket Sembako {n}")
    estimated_value = 200_000

    @factory.post_generation
    def with_items(obj, create, extracted, **kwargs):
        if create:
            PackageItem.objects.create(package=obj, commodity=CommodityFactory(name="Beras", unit="kg"), quantity=5)
            PackageItem.objects.create(
                package=obj, commodity=CommodityFactory(name="Minyak goreng", unit="liter"), quantity=2
            )


class DistributionRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DistributionRound

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Putaran {n}")
    period = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    package = factory.SubFactory(AidPackageFactory)
    status = RoundStatus.DRAFT
    approved_by = factory.Maybe(
        factory.LazyAttribute(lambda o: o.status not in ("draft", "submitted")),
        yes_declaration=factory.SubFactory(UserFactory, role=Role.STAF_KECAMATAN),
        no_declaration=None,
    )


class EntitlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entitlement

    round = factory.SubFactory(DistributionRoundFactory)
    household = factory.SubFactory(HouseholdFactory)


def entitled_household(round_, **household_kwargs) -> Entitlement:
    """A household with a head member, entitled in the round."""
    household = HouseholdFactory(**household_kwargs)
    MemberFactory(household=household)
    return Entitlement.objects.create(round=round_, household=household)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    entitlement = factory.SubFactory(EntitlementFactory)
    client_uuid = factory.LazyFunction(uuid.uuid4)
    delivered_at = factory.LazyFunction(timezone.now)
    proxy_name = "Tetangga"
    proxy_relation = "tetangga"
    recorded_by = factory.SubFactory(UserFactory, role=Role.PETUGAS_LEMBAGA)


class SupportCaseFactory(factory.django.DjangoModelFactory):
    """A psychosocial support case of a child; assign counsellors with `case.counsellors.set([...])`."""

    class Meta:
        model = SupportCase

    institution = factory.SubFactory(InstitutionFactory)
    member = factory.SubFactory(MemberFactory, birth_date=datetime.date(2012, 3, 4))
    opened_on = datetime.date(2024, 1, 15)
    guardian_name = "Rohana binti Ahmad"
    guardian_relation = "ibu kandung"
    consent_on = datetime.date(2024, 1, 10)
    opened_by = factory.SubFactory(UserFactory, role=Role.PETUGAS_LEMBAGA)


class SupportSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportSession

    case = factory.SubFactory(SupportCaseFactory)
    held_on = datetime.date(2024, 2, 1)
    kind = SessionKind.COUNSELLING
    notes = "Anak bercerita tentang sekolah."
    recorded_by = factory.SubFactory(UserFactory, role=Role.PETUGAS_LEMBAGA)
