"""Official code lists shipped with the project (copied from the shared reference data, docs/domain.md §1).

Read once at import from `core/data/`; the portal never reads anything outside its own tree.
"""

import csv
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

KECAMATAN_KERTAPATI_KEMENDAGRI = "16.71.13"
KECAMATAN_KERTAPATI_BPS = "1671021"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def province_codes() -> frozenset[str]:
    """Valid first two digits of a NIK or No. KK."""
    return frozenset(row["code"] for row in _rows("province_codes.csv"))


@cache
def palembang_kecamatan() -> dict[str, str]:
    """Compact 6-digit Kemendagri prefix (e.g. `167113`) -> kecamatan name."""
    return {row["kemendagri_code"].replace(".", ""): row["name"] for row in _rows("kecamatan_palembang.csv")}


def kertapati_kelurahan() -> list[dict[str, str]]:
    return _rows("kelurahan_kertapati.csv")
