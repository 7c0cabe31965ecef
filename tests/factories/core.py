import factory

from core.models import RT, Kelurahan


def kelurahan(name: str = "Keramasan") -> Kelurahan:
    """The six kelurahan exist from the data migration; tests pick one by name."""
    return Kelurahan.objects.get(name=name)


class RTFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RT
        django_get_or_create = ("kelurahan", "number")

    kelurahan = factory.LazyFunction(kelurahan)
    number = factory.Sequence(lambda n: 100 + n % 800)
    rw = factory.LazyAttribute(lambda o: (o.number - 1) // 5 + 1)
