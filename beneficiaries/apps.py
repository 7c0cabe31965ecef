from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_STAFF_COMMON = [
    "view_household",
    "add_household",
    "change_household",
    "view_member",
    "add_member",
    "change_member",
    "view_consent",
    "add_consent",
    "change_consent",
    "view_sensitive",
    "export_household",
    "view_duplicateflag",
    "change_duplicateflag",
    "view_householdflag",
    "change_householdflag",
    "view_importbatch",
    "add_importbatch",
    "view_importrow",
]


class BeneficiariesConfig(AppConfig):
    name = "beneficiaries"
    verbose_name = _("Registri penerima manfaat")

    @property
    def role_permissions(self) -> dict:
        """{Role: codenames} for accounts.roles; a property, so that the enum is imported once models can be."""
        from accounts.models import Role

        return {
            Role.STAF_KECAMATAN: [*_STAFF_COMMON, "reveal_nik", "handle_subject_request"],
            Role.STAF_KELURAHAN: list(_STAFF_COMMON),
        }

    def ready(self):
        from beneficiaries.services import retention as registry_retention
        from core import navigation, retention, stats

        navigation.register_menu(
            key="registry",
            label=_("Registri"),
            url_name="beneficiaries:household_list",
            icon="people",
            order=10,
            permission="beneficiaries.view_household",
        )
        stats.register_kelurahan_stat(key="households", label=_("Keluarga"), order=10, counter=_count_households)
        stats.register_kelurahan_stat(key="members", label=_("Anggota keluarga"), order=11, counter=_count_members)
        retention.register_handler(key="registry_inactive", run=registry_retention.registry_anonymise_inactive)
        retention.register_handler(key="import_files", run=registry_retention.import_files_delete_expired)


def _count_households(user):
    from beneficiaries.models import Household
    from beneficiaries.selectors import kelurahan_counts

    return kelurahan_counts(user=user, model=Household)


def _count_members(user):
    from beneficiaries.models import Member
    from beneficiaries.selectors import kelurahan_counts

    return kelurahan_counts(user=user, model=Member)
