import factory

from accounts import services
from accounts.models import Role, User

PASSWORD = "sandi-uji-yang-panjang-1"


class UserFactory(factory.django.DjangoModelFactory):
    """Creates users through the same service as the portal, so that groups follow the role."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"pengguna{n}")
    first_name = factory.Faker("first_name", locale="id_ID")
    last_name = factory.Faker("last_name", locale="id_ID")
    role = Role.STAF_KECAMATAN
    kelurahan = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kelurahan_set = kwargs.pop("kelurahan_set", ())
        kwargs.pop("password", None)
        return services.user_create(actor=None, password=PASSWORD, kelurahan_set=kelurahan_set, **kwargs)
