from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Pengaduan dan permintaan perubahan data")

    # Kelurahan staff log and handle grievances and propose corrections; Staf Kecamatan also approves them
    # (maker-checker: never their own); workers log grievances and propose corrections and see only their own;
    # Pimpinan sees aggregate figures only.
    @property
    def role_permissions(self) -> dict:
        # A property: accounts reads it once the registry is ready, so the Role enum can be imported (an app
        # module may not import models at import time).
        from accounts.models import Role

        return {
            Role.STAF_KECAMATAN: [
                "view_grievance",
                "add_grievance",
                "change_grievance",
                "view_grievance_stats",
                "view_changerequest",
                "add_changerequest",
                "approve_changerequest",
                "view_grievancecategorysla",
                "view_subjectrequest",
                "add_subjectrequest",
                "change_subjectrequest",
            ],
            Role.STAF_KELURAHAN: [
                "view_grievance",
                "add_grievance",
                "change_grievance",
                "view_changerequest",
                "add_changerequest",
                "view_subjectrequest",
                "add_subjectrequest",
                "change_subjectrequest",
            ],
            Role.PETUGAS_LEMBAGA: ["view_grievance", "add_grievance", "view_changerequest", "add_changerequest"],
            Role.PIMPINAN: ["view_grievance_stats"],
        }

    def ready(self):
        from beneficiaries.services import merging as registry_merging
        from beneficiaries.services import retention as registry_retention
        from core import navigation, panels, retention, stats
        from grievances import selectors, services

        registry_merging.register_member_handler("grievances.members", services.move_member)
        retention.register_handler(key="grievance_closed", run=services.grievances_anonymise_expired)
        registry_retention.register_follow_on("grievances.requests", services.registry_copies_anonymise)

        navigation.register_menu(
            group=("pengaduan", _("Pengaduan"), "megaphone"),
            key="grievances",
            label=_("Pengaduan"),
            url_name="grievances:grievance_list",
            icon="megaphone",
            order=60,
            permission=selectors.VIEW_PERMISSION,
        )
        navigation.register_menu(
            group=("pengaduan", _("Pengaduan"), "megaphone"),
            key="grievance_tasks",
            label=_("Tugas saya"),
            url_name="grievances:my_tasks",
            icon="check2-square",
            order=61,
            permission=lambda user: (
                user.has_perm("grievances.change_grievance") or user.has_perm("grievances.approve_changerequest")
            ),
        )
        navigation.register_menu(
            group=("pengaduan", _("Pengaduan"), "megaphone"),
            key="grievance_stats",
            label=_("Statistik pengaduan"),
            url_name="grievances:grievance_stats",
            icon="bar-chart",
            order=62,
            permission=lambda user: (
                user.has_perm(selectors.STATS_PERMISSION) and not user.has_perm(selectors.VIEW_PERMISSION)
            ),
        )
        stats.register_kelurahan_stat(
            key="grievances_my_new_overdue",
            label=_("Pengaduan saya: baru/lewat batas"),
            order=60,
            counter=selectors.count_my_open_per_kelurahan,
        )
        panels.register_panel(
            model_label="beneficiaries.Household",
            key="grievances",
            title=_("Pengaduan"),
            template="grievances/panels/household_grievances.html",
            selector=selectors.household_panel,
            order=60,
        )
