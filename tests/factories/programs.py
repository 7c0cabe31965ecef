"""Program factories (deterministic)."""

import datetime

import factory
from django.utils import timezone

from programs.models import Cohort, CohortStatus, FundingSource, OrganiserKind, Program, ProgramKind, TrainingSession

TODAY = datetime.date(2026, 1, 1)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Pelatihan Menjahit {n}")
    kind = ProgramKind.SKILLS_TRAINING
    organiser_kind = OrganiserKind.KECAMATAN
    funding_source = FundingSource.APBD
    budget = 25_000_000


class CohortFactory(factory.django.DjangoModelFactory):
    """A cohort written straight to the database in any status (tests of guards start from a given state)."""

    class Meta:
        model = Cohort

    program = factory.SubFactory(ProgramFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=30))
    venue = "Aula Kantor Camat Kertapati"
    trainers = "Ibu Sri Wahyuni"
    capacity = 10
    status = CohortStatus.OPEN
    eligibility_rule = factory.LazyFunction(dict)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    cohort = factory.SubFactory(CohortFactory)
    held_on = factory.LazyAttribute(lambda o: o.cohort.starts_on)
    topic = factory.Sequence(lambda n: f"Materi {n + 1}")
    duration_minutes = 120
