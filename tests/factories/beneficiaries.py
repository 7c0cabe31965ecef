"""Registry factories: structurally valid synthetic NIK/KK numbers (never real ones)."""

import datetime

import factory

from beneficiaries import choices
from beneficiaries.models import Household, Member
from tests.factories.core import RTFactory, kelurahan

PREFIX = "167113"  # Kertapati (docs/domain.md §1.2); the serials below are synthetic.


def make_kk(n: int) -> str:
    registered = datetime.date(2015, 1, 1) + datetime.timedelta(days=n % 3000)
    return f"{PREFIX}{registered:%d%m%y}{1 + n % 9999:04d}"


def make_nik(n: int, *, birth_date: datetime.date, female: bool) -> str:
    day = birth_date.day + (40 if female else 0)
    return f"{PREFIX}{day:02d}{birth_date:%m%y}{1 + n % 9999:04d}"


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    kk_number = factory.Sequence(make_kk)
    kelurahan = factory.LazyFunction(kelurahan)
    rt = factory.LazyAttribute(lambda o: RTFactory(kelurahan=o.kelurahan, number=1, rw=1))
    address = factory.Sequence(lambda n: f"Jl. Ki Merogan Lr. Damai No. {n % 200 + 1}")
    house_number = factory.Sequence(lambda n: str(n % 90 + 1))
    desil = 2


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    class Params:
        female = False

    household = factory.SubFactory(HouseholdFactory)
    full_name = factory.Faker("name", locale="id_ID")
    sex = factory.LazyAttribute(lambda o: choices.Sex.FEMALE if o.female else choices.Sex.MALE)
    birth_place = "Palembang"
    birth_date = datetime.date(1985, 6, 15)
    nik = factory.LazyAttributeSequence(lambda o, n: make_nik(n, birth_date=o.birth_date, female=o.female))
    relationship = choices.Relationship.HEAD
    marital_status = choices.MaritalStatus.MARRIED
    religion = choices.Religion.ISLAM
    education = choices.Education.PRIMARY
    occupation = choices.Occupation.DAY_LABOURER
