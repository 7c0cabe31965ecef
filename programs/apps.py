from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_MANAGE = [
    f"{verb}_{model}"
    for model in (
        "program",
        "cohort",
        "trainingsession",
        "enrollment",
        "attendance",
        "followup",
        "outcome",
        "groupenterprise",
        "groupmembership",
        "groupsale",
    )
    for verb in ("view", "add", "change")
]


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Program pemberdayaan")

    @property
    def role_permissions(self) -> dict:
        """Read by accounts.roles once the apps are loaded (Role lives in accounts.models)."""
        from accounts.models import Role

        return {
            # Admin gets everything automatically.
            Role.STAF_KECAMATAN: [*_MANAGE, "view_program_dashboard"],
            # Programs and cohorts are run by the kecamatan; the kelurahan enrolls, records attendance and outcomes
            # for its own residents (member visibility decides which).
            Role.STAF_KELURAHAN: [
                "view_program",
                "view_cohort",
                "view_trainingsession",
                "view_enrollment",
                "add_enrollment",
                "change_enrollment",
                "view_attendance",
                "add_attendance",
                "change_attendance",
                "view_followup",
                "view_outcome",
                "add_outcome",
                "view_groupenterprise",
                "view_groupmembership",
                "view_groupsale",
                "add_groupsale",
                "view_program_dashboard",
            ],
            Role.PIMPINAN: ["view_program_dashboard"],
        }

    def ready(self):
        from beneficiaries.services import merging as registry_merging
        from core import navigation, panels, stats
        from programs import selectors
        from programs.services import merging

        registry_merging.register_member_handler("programs.members", merging.move_member)

        navigation.register_menu(
            group=("program", _("Program"), "mortarboard"),
            key="programs",
            label=_("Program"),
            url_name="programs:program_list",
            icon="mortarboard",
            order=30,
            permission="programs.view_program",
        )
        navigation.register_menu(
            group=("program", _("Program"), "mortarboard"),
            key="programs_dashboard",
            label=_("Dasbor program"),
            url_name="programs:dashboard",
            icon="bar-chart-line",
            order=31,
            permission=lambda user: (
                user.has_perm("programs.view_program_dashboard") and not user.has_perm("programs.view_program")
            ),
        )
        panels.register_panel(
            model_label="beneficiaries.Household",
            key="programs",
            title=_("Program pemberdayaan"),
            template="programs/panels/household_programs.html",
            selector=selectors.household_programs,
            order=30,
        )
        stats.register_kelurahan_stat(
            key="program_participants",
            label=_("Peserta program aktif"),
            order=40,
            counter=selectors.active_participants_by_kelurahan,
        )
