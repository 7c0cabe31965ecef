"""Menu entries, household-page panel, home-page count, merge and retention handlers contributed to core's and
the registry's registries. Only wiring: the handlers themselves are services (`services.merging`,
`services.retention`)."""

from django.utils.translation import gettext_lazy as _


def _sees_support(user) -> bool:
    return user.has_perm("aid_distribution.view_supportcase") or user.has_perm(
        "aid_distribution.view_supportcase_counts"
    )


def register_all() -> None:
    from aid_distribution import selectors, services
    from beneficiaries.services import merging
    from core import navigation, panels, retention, stats

    merging.register_member_handler("aid_distribution.members", services.member_merge_move)
    retention.register_handler(key="support_case_closed", run=services.support_cases_anonymise_expired)
    retention.register_handler(key="delivery_photo", run=services.delivery_photos_delete_expired)

    navigation.register_menu(
        group=("bantuan", _("Bantuan"), "box-seam"),
        key="aid",
        label=_("Bantuan lembaga"),
        url_name="aid_distribution:round_list",
        icon="box-seam",
        order=40,
        permission="aid_distribution.view_distributionround",
    )
    navigation.register_menu(
        group=("bantuan", _("Bantuan"), "box-seam"),
        key="support",
        label=_("Psikososial"),
        url_name="aid_distribution:supportcase_list",
        icon="heart-pulse",
        order=45,
        permission=_sees_support,
    )
    panels.register_panel(
        model_label="beneficiaries.Household",
        key="aid",
        title=_("Bantuan lembaga sosial"),
        template="aid_distribution/panels/household_aid.html",
        selector=selectors.household_aid_panel,
        order=40,
    )
    panels.register_panel(
        model_label="beneficiaries.Household",
        key="card",
        title=_("Kartu keluarga"),
        template="aid_distribution/panels/household_card.html",
        selector=selectors.household_card_panel,
        order=35,
    )
    # The registry list's actions (`beneficiaries/household_list.html`, obj = its filterset).
    panels.register_panel(
        model_label="beneficiaries.HouseholdList",
        key="rt_cards",
        title=_("Cetak kartu RT"),
        template="aid_distribution/panels/rt_cards_action.html",
        selector=selectors.rt_cards_action,
        order=40,
    )
    stats.register_kelurahan_stat(
        key="aid_deliveries_month",
        label=_("Penyerahan sembako bulan ini"),
        order=40,
        counter=selectors.deliveries_this_month_by_kelurahan,
    )
