"""Demo registry (synthetic, idempotent): ~60 households across the six kelurahan, through the services.

Mixed desil 1-10, some children out of school, some disability, and two deliberate likely-duplicates so that
the review queue has work. Re-running finds every KK already there and adds nothing.
"""

import datetime
import random

from beneficiaries import choices, services, synthetic
from beneficiaries.models import Household, Member
from beneficiaries.services.duplicates import duplicates_detect
from core.models import RT, Kelurahan

HOUSEHOLDS_PER_KELURAHAN = 10
SEED = 20261128
TODAY = datetime.date(2026, 11, 1)  # fixed, so the same numbers come out on every run


def seed(*, log) -> None:
    rng = random.Random(SEED)
    numbers = synthetic.NumberAllocator(start=9001)  # a serial range the tests' factories never use
    created = 0
    for kelurahan in Kelurahan.objects.order_by("kemendagri_code"):
        rts = list(RT.objects.filter(kelurahan=kelurahan, is_active=True).order_by("number")[:12])
        if not rts:
            rts = [RT.objects.get_or_create(kelurahan=kelurahan, number=1, defaults={"rw": 1})[0]]
        for _ in range(HOUSEHOLDS_PER_KELURAHAN):
            hh = synthetic.household(rng, numbers, today=TODAY)
            rt = rng.choice(rts)
            if Household.objects.filter(kk_number=hh.kk_number).exists():
                continue
            members = [
                {
                    "nik": m.nik,
                    "full_name": m.full_name,
                    "sex": m.sex,
                    "birth_place": "Palembang",
                    "birth_date": m.birth_date,
                    "relationship": m.relationship,
                    "marital_status": m.marital_status,
                    "religion": choices.Religion.ISLAM,
                    "education": m.education,
                    "school_participation": m.school_participation,
                    "occupation": m.occupation,
                    "disability": m.disability,
                    "chronic_illness": m.chronic_illness,
                }
                for m in hh.members[:5]
            ]
            services.household_register(
                actor=None,
                household_data={
                    "kk_number": hh.kk_number,
                    "rt": rt,
                    "address": hh.address,
                    "house_number": hh.house_number,
                    "desil": hh.desil,
                    "floor_material": hh.floor_material,
                    "wall_material": hh.wall_material,
                    "roof_material": hh.roof_material,
                    "drinking_water": hh.drinking_water,
                    "lighting": hh.lighting,
                    "home_ownership": hh.home_ownership,
                    "welfare_source": "Demo (sintetis)",
                },
                members=members,
                warnings_confirmed=True,
            )
            created += 1
    created_dups = _deliberate_duplicates(rng)
    flags = duplicates_detect()
    log(f"Registri: {created} keluarga baru, {created_dups} data ganda sengaja, {flags} dugaan data ganda baru")


def _deliberate_duplicates(rng) -> int:
    """The same person registered twice in another family: a name typo and another NIK serial."""
    made = 0
    for kk_number, typo in (("1671130203200901", "a"), ("1671130304210902", "e")):
        if Household.objects.filter(kk_number=kk_number).exists():
            continue
        source = Member.objects.filter(
            is_active=True, relationship=choices.Relationship.HEAD, nik__isnull=False
        ).order_by("pk")[made * 7]
        name = source.full_name[:-1] + typo if source.full_name[-1] != typo else source.full_name + "h"
        female = source.sex == choices.Sex.FEMALE
        nik = (
            synthetic.PREFIX
            + f"{source.birth_date.day + (40 if female else 0):02d}{source.birth_date:%m%y}"
            + "99"
            + f"{90 + made:02d}"
        )
        services.household_register(
            actor=None,
            household_data={
                "kk_number": kk_number,
                "rt": source.household.rt,
                "address": "Jl. Ki Merogan Lr. Ganda",
                "desil": 3,
            },
            members=[
                {
                    "nik": nik,
                    "full_name": name,
                    "sex": source.sex,
                    "birth_date": source.birth_date,
                    "relationship": choices.Relationship.HEAD,
                    "birth_place": "Palembang",
                }
            ],
            warnings_confirmed=True,
        )
        made += 1
    return made
