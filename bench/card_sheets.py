"""Household card sheets (issue 22 B7): how long `aid_distribution.pdf.household_cards` takes for a round.

Run on purpose, never in the suite; it needs no database (the cards are built from unsaved rows):

    .venv/bin/python bench/card_sheets.py [--cards 500 --rounds 5]

Prints min/median/max seconds per PDF, its size and page count. A round's sheet also costs its 8 queries
(pinned in tests/aid_distribution/test_cards.py), which are negligible beside the drawing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kertapati_welfare.settings.test")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import django

    django.setup()
    from aid_distribution import pdf
    from beneficiaries.models import Household, new_card_code, new_card_token
    from core.models import RT, Kelurahan

    kelurahan = Kelurahan(name="Keramasan")
    cards = []
    for i in range(args.cards):
        rt = RT(kelurahan=kelurahan, number=1 + i % 12, rw=1 + i % 4)
        household = Household(
            kelurahan=kelurahan, rt=rt, address=f"Lr. Mawar {i}", card_token=new_card_token(), card_code=new_card_code()
        )
        cards.append(pdf.Card(household=household, head_name=f"Kepala Keluarga {i}", head_nik="1671010101900001"))
    seconds = []
    for _round in range(args.rounds):
        started = time.perf_counter()
        content = pdf.household_cards(cards, title="Bench")
        seconds.append(time.perf_counter() - started)
    pages = content.count(b"/Type /Page") - content.count(b"/Type /Pages")
    print(
        f"{args.cards} kartu: min {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s, "
        f"max {max(seconds):.2f} s; {len(content) / 1e6:.1f} MB, {pages} halaman"
    )


if __name__ == "__main__":
    main()
