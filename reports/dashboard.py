"""Dashboard figures: taken from the report builders' output, so the dashboard and the monthly report cannot
disagree. Stored per kelurahan (and NULL for the kecamatan) in DashboardAggregate by the daily refresh."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KEY = "ringkasan_bulanan"

#: (key, label) of the headline cards, in order.
HEADLINES = [
    ("households", gettext_lazy("Keluarga terdaftar")),
    ("members", gettext_lazy("Anggota keluarga")),
    ("desil_1_4", gettext_lazy("Keluarga desil 1–4")),
    ("school_not", gettext_lazy("Anak 7–18 tidak/putus sekolah")),
    ("adults_no_primary", gettext_lazy("Dewasa tidak tamat SD")),
    ("aid_served", gettext_lazy("Keluarga menerima sembako")),
    ("aid_coverage_pct", gettext_lazy("Cakupan desil 1–4 (%)")),
    ("aid_multi_served", gettext_lazy("Dilayani >1 lembaga")),
    ("aid_not_reached", gettext_lazy("Desil 1–4 tidak terjangkau 3 bulan")),
    ("grievances", gettext_lazy("Pengaduan diterima")),
    ("projects", gettext_lazy("Proyek infrastruktur")),
    ("projects_overdue", gettext_lazy("Proyek melewati jadwal")),
]


def _get(section: dict | None, row: dict, key: str):
    if not section or not section.get("available"):
        return None
    return row.get(key)


def _value(figures: dict, index: int | None) -> dict:
    """Headline figures and chart series for one kelurahan row (index) or the kecamatan total (None)."""
    sections = figures["sections"]
    labels = figures["labels"]

    def row_of(key):
        section = sections.get(key)
        if not section or not section.get("available"):
            return None, {}
        return section, (section["total"] if index is None else section["rows"][index])

    hh_section, hh = row_of("households")
    mem_section, mem = row_of("members")
    aid_section, aid = row_of("aid_coordination")
    gr_section, gr = row_of("grievances")
    inf_section, inf = row_of("infrastructure")

    def series(section, row, names: list):
        if not section:
            return None
        return {"labels": [label for _key, label in names], "values": [row.get(key, 0) for key, _label in names]}

    return {
        "households": _get(hh_section, hh, "active"),
        "households_new": _get(hh_section, hh, "new"),
        "households_removed": _get(hh_section, hh, "removed"),
        "members": _get(mem_section, mem, "active"),
        "desil_1_4": _get(hh_section, hh, "desil_1_4"),
        "school_not": _get(mem_section, mem, "school_not"),
        "school_age": _get(mem_section, mem, "school_age"),
        "adults_no_primary": _get(mem_section, mem, "adults_no_primary"),
        "disabled": _get(mem_section, mem, "disabled"),
        "aid_served": _get(aid_section, aid, "served"),
        "aid_coverage_pct": _get(aid_section, aid, "coverage_pct"),
        "aid_multi_served": _get(aid_section, aid, "multi_served"),
        "aid_not_reached": _get(aid_section, aid, "not_reached"),
        "grievances": _get(gr_section, gr, "total"),
        "projects": _get(inf_section, inf, "projects"),
        "projects_overdue": _get(inf_section, inf, "overdue"),
        "charts": {
            "desil": series(hh_section, hh, labels["desil"]),
            "age": series(mem_section, mem, labels["age"]),
            "education": series(mem_section, mem, labels["education"]),
            "sex": series(mem_section, mem, [["male", _("Laki-laki")], ["female", _("Perempuan")]]),
            "school": series(
                mem_section,
                mem,
                [
                    ["school_in", _("Masih sekolah")],
                    ["school_not", _("Tidak/putus sekolah")],
                    ["school_unknown", _("Belum didata")],
                ],
            ),
        },
    }


def values_from_figures(figures: dict) -> dict:
    """{kelurahan_id or None: value} for every kelurahan of the figures and the kecamatan."""
    result = {None: _value(figures, None)}
    for index, kel in enumerate(figures["kelurahan"]):
        result[kel["id"]] = _value(figures, index)
    return result
