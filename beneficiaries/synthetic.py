"""Synthetic registry data (never real people): Indonesian names, structurally valid NIK/KK, plausible families.

Used by `demo.py` (a few dozen households through the services) and `generate_synthetic` (a million via COPY).
NIK and KK follow the same rules as `validators.py`: Kertapati prefix 167113, DDMMYY (+40 for women), serial.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from beneficiaries import choices

PREFIX = "167113"
MALE_FIRST = [
    "Ahmad",
    "Budi",
    "Joko",
    "Rudi",
    "Agus",
    "Hendra",
    "Dedi",
    "Eko",
    "Fajar",
    "Hasan",
    "Irfan",
    "Rizky",
    "Yusuf",
    "Bambang",
    "Slamet",
    "Wahyu",
    "Dimas",
    "Arif",
    "Taufik",
    "Andi",
    "Ilham",
    "Rahmat",
    "Sugeng",
    "Herman",
    "Zainal",
]
FEMALE_FIRST = [
    "Siti",
    "Sri",
    "Dewi",
    "Rina",
    "Nur",
    "Ratna",
    "Yuni",
    "Wati",
    "Lestari",
    "Fitri",
    "Aisyah",
    "Putri",
    "Indah",
    "Rahma",
    "Nurul",
    "Desi",
    "Maya",
    "Ani",
    "Eka",
    "Lina",
    "Sari",
    "Wulan",
    "Intan",
    "Kartini",
    "Zahra",
]
FAMILY = [
    "Saputra",
    "Pratama",
    "Wijaya",
    "Hidayat",
    "Nugroho",
    "Setiawan",
    "Kurniawan",
    "Siregar",
    "Lubis",
    "Harahap",
    "Susanto",
    "Rahman",
    "Hakim",
    "Syahputra",
    "Gunawan",
    "Firmansyah",
    "Ramadhan",
    "Maulana",
    "Hasibuan",
    "Effendi",
    "Santoso",
    "Wibowo",
    "Halim",
    "Fauzi",
    "Anwar",
    "Sembiring",
    "Nasution",
    "Ismail",
    "Sulaiman",
    "Yahya",
]
STREETS = [
    "Jl. Ki Merogan",
    "Jl. Abikusno Cokrosuyoso",
    "Jl. Kemas Rindo",
    "Jl. Mayjen Yusuf Singadekane",
    "Jl. Pangeran Ratu",
    "Jl. Karya Jaya",
    "Jl. Ogan",
    "Jl. Keramasan Raya",
    "Jl. Stasiun Kertapati",
    "Jl. Tegal Binangun",
]
LORONG = ["Lr. Damai", "Lr. Mawar", "Lr. Melati", "Lr. Sepakat", "Lr. Harapan", "Lr. Rukun", "Lr. Masjid", "Lr. Pasar"]


class NumberAllocator:
    """Hands out NIK/KK numbers that are unique by construction: one serial counter per date block.

    `start` offsets every counter so that separate runs (demo data, a benchmark on top of it) do not collide.
    """

    def __init__(self, start: int = 1):
        self.start = start
        self._next: dict[str, int] = {}

    def _take(self, block: str) -> str:
        serial = self._next.get(block, self.start)
        if serial > 9999:
            raise ValueError("serial space of this date block is exhausted")
        self._next[block] = serial + 1
        return f"{PREFIX}{block}{serial:04d}"

    def kk(self, rng: random.Random, *, today: datetime.date) -> str:
        registered = today - datetime.timedelta(days=rng.randint(30, 20 * 365))
        return self._take(f"{registered:%d%m%y}")

    def nik(self, birth: datetime.date, *, female: bool) -> str:
        return self._take(f"{birth.day + (40 if female else 0):02d}{birth:%m%y}")


@dataclass
class SyntheticMember:
    full_name: str
    sex: int
    birth_date: datetime.date
    relationship: int
    marital_status: int
    education: int | None
    school_participation: int | None
    occupation: int | None
    disability: int | None = None
    chronic_illness: int | None = None
    nik: str | None = None


@dataclass
class SyntheticHousehold:
    kk_number: str
    address: str
    house_number: str
    desil: int
    floor_material: int
    wall_material: int
    roof_material: int
    drinking_water: int
    lighting: int
    home_ownership: int
    members: list[SyntheticMember] = field(default_factory=list)


def _birth(rng, today, min_age, max_age):
    return today - datetime.timedelta(days=rng.randint(min_age * 365 + 1, max_age * 365 + 300))


def _age(birth, today):
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _education(rng, age, poor):
    if age < 7:
        return choices.Education.NONE, (choices.SchoolParticipation.NEVER if age >= 5 else None)
    if age <= 18:
        out = rng.random() < (0.18 if poor else 0.05)
        if out:
            return (
                choices.Education.PRIMARY_INCOMPLETE if age < 13 else choices.Education.PRIMARY,
                choices.SchoolParticipation.NO_LONGER,
            )
        return (
            choices.Education.PRIMARY_INCOMPLETE
            if age < 13
            else choices.Education.PRIMARY
            if age < 16
            else choices.Education.JUNIOR_SECONDARY
        ), choices.SchoolParticipation.IN_SCHOOL
    weights = [3, 5, 25, 25, 30, 3, 4, 5] if poor else [1, 2, 12, 18, 40, 6, 8, 13]
    level = rng.choices(range(1, 9), weights=weights)[0]
    return level, choices.SchoolParticipation.NO_LONGER


def household(rng: random.Random, numbers: NumberAllocator, *, today: datetime.date) -> SyntheticHousehold:
    desil = rng.choices(range(1, 11), weights=[16, 15, 14, 12, 10, 9, 8, 6, 5, 5])[0]
    poor = desil <= 4
    family = rng.choice(FAMILY)
    hh = SyntheticHousehold(
        kk_number=numbers.kk(rng, today=today),
        address=f"{rng.choice(STREETS)} {rng.choice(LORONG)}",
        house_number=str(rng.randint(1, 150)),
        desil=desil,
        floor_material=rng.choice([5, 6, 8] if poor else [2, 4, 6]),
        wall_material=rng.choice([3, 4, 6] if poor else [1, 1, 3]),
        roof_material=rng.choice([3, 4] if poor else [2, 3, 1]),
        drinking_water=rng.choice([2, 4, 6] if poor else [1, 2, 12]),
        lighting=rng.choice([1, 2] if poor else [1]),
        home_ownership=rng.choice([1, 2, 3, 6] if poor else [1, 1, 2]),
    )
    head_birth = _birth(rng, today, 25, 70)
    head_female = rng.random() < 0.12
    edu, _p = _education(rng, _age(head_birth, today), poor)
    first = rng.choice(FEMALE_FIRST if head_female else MALE_FIRST)
    hh.members.append(
        SyntheticMember(
            full_name=f"{first} {family}",
            sex=choices.Sex.FEMALE if head_female else choices.Sex.MALE,
            birth_date=head_birth,
            relationship=choices.Relationship.HEAD,
            marital_status=choices.MaritalStatus.WIDOWED if head_female else choices.MaritalStatus.MARRIED,
            education=edu,
            school_participation=choices.SchoolParticipation.NO_LONGER,
            occupation=rng.choice([19, 84, 88, 15, 81, 11, 1]),
        )
    )
    size = rng.choices([1, 2, 3, 4, 5, 6, 7], weights=[5, 12, 22, 28, 18, 10, 5])[0]
    if not head_female and size > 1:
        wife_birth = min(
            today - datetime.timedelta(days=18 * 366), head_birth + datetime.timedelta(days=rng.randint(-2000, 3000))
        )
        edu, _p = _education(rng, _age(wife_birth, today), poor)
        hh.members.append(
            SyntheticMember(
                full_name=f"{rng.choice(FEMALE_FIRST)} {rng.choice(FAMILY)}",
                sex=choices.Sex.FEMALE,
                birth_date=wife_birth,
                relationship=choices.Relationship.WIFE,
                marital_status=choices.MaritalStatus.MARRIED,
                education=edu,
                school_participation=choices.SchoolParticipation.NO_LONGER,
                occupation=rng.choice([2, 2, 2, 84, 23]),
            )
        )
    while len(hh.members) < size:
        youngest = _age(head_birth, today) - 18
        child_birth = _birth(rng, today, 0, max(0, min(youngest, 30)))
        female = rng.random() < 0.5
        age = _age(child_birth, today)
        edu, part = _education(rng, age, poor)
        hh.members.append(
            SyntheticMember(
                full_name=f"{rng.choice(FEMALE_FIRST if female else MALE_FIRST)} {family}",
                sex=choices.Sex.FEMALE if female else choices.Sex.MALE,
                birth_date=child_birth,
                relationship=choices.Relationship.CHILD,
                marital_status=choices.MaritalStatus.SINGLE,
                education=edu,
                school_participation=part,
                occupation=3 if part == choices.SchoolParticipation.IN_SCHOOL else (1 if age < 15 else 19),
            )
        )
    for member in hh.members:
        member.nik = numbers.nik(member.birth_date, female=member.sex == choices.Sex.FEMALE)
        if rng.random() < 0.03:
            member.disability = rng.choice(choices.Disability.values)
        if _age(member.birth_date, today) > 40 and rng.random() < 0.15:
            member.chronic_illness = rng.choice([2, 3, 5, 6])
    return hh
