"""Demo programs (synthetic, idempotent), built through the services over the registry's demo members.

Two programs with a finished cohort each (attendance, graduates, certificates, 3- and 6-month outcomes),
a women's sewing group selling online, and one open cohort. Dates are relative to today so that the
follow-ups are really due. Re-running finds every cohort already there and adds nothing.
"""

import datetime
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from beneficiaries.models import Member
from core.models import Kelurahan
from programs import eligibility, services
from programs.models import (
    BusinessKind,
    Cohort,
    EnrollmentStatus,
    FundingSource,
    GroupEnterprise,
    OrganiserKind,
    Program,
    ProgramKind,
)

SEED = 20261128
WOMEN_18_TO_55 = {
    "combinator": "and",
    "conditions": [{"type": "sex", "value": 2}, {"type": "age", "min": 18, "max": 55}, {"type": "not_graduate"}],
}


def _program(name, **fields) -> Program:
    program = Program.objects.filter(name=name).first()
    return program or services.program_create(actor=None, data={"name": name, **fields})


def _cohort(program, *, number, starts_on, days, venue, trainers, capacity, topics) -> tuple[Cohort, bool]:
    existing = Cohort.objects.filter(program=program, number=number).first()
    if existing:
        return existing, False
    cohort = services.cohort_create(
        actor=None,
        program=program,
        data={
            "number": number,
            "starts_on": starts_on,
            "ends_on": starts_on + datetime.timedelta(days=days),
            "venue": venue,
            "trainers": trainers,
            "capacity": capacity,
            "eligibility_rule": WOMEN_18_TO_55,
        },
    )
    for i, topic in enumerate(topics):
        services.session_create(
            actor=None,
            cohort=cohort,
            data={"held_on": starts_on + datetime.timedelta(days=i * days // max(len(topics) - 1, 1)), "topic": topic},
        )
    return services.cohort_transition(actor=None, cohort=cohort, action="open"), True


def _enroll(cohort, n) -> list:
    candidates = list(
        eligibility.eligible_members(Member.objects.all(), cohort=cohort)
        .exclude(pk__in=cohort.enrollments.values("member_id"))
        .order_by("pk")[: n * 3]
    )
    enrolled = []
    for member in candidates:
        if len(enrolled) >= n:
            break
        try:
            enrolled.append(services.enrollment_create(actor=None, cohort=cohort, member=member))
        except ValidationError:
            continue  # a demo member already taking part elsewhere is simply skipped
    return enrolled


def _run_finished(cohort, rng, *, evaluated: bool) -> int:
    """Start, record attendance (most attend), graduate, finish, and record 3/6-month outcomes."""
    cohort = services.cohort_transition(actor=None, cohort=cohort, action="start")
    enrollments = list(cohort.enrollments.filter(status=EnrollmentStatus.ENROLLED))
    for session in cohort.sessions.all():
        present = [e.pk for e in enrollments if rng.random() < 0.88]
        services.attendance_record(actor=None, session=session, present_ids=present)
    services.cohort_complete_all(actor=None, cohort=cohort)
    services.cohort_transition(actor=None, cohort=cohort, action="finish")
    if evaluated:
        services.cohort_transition(actor=None, cohort=cohort, action="evaluate")
    today = timezone.localdate()
    outcomes = 0
    kinds = (
        [BusinessKind.TAILORING, BusinessKind.TAILORING, BusinessKind.FOOD, BusinessKind.TRADE]
        if "Jahit" in cohort.program.name
        else [BusinessKind.CRAFT, BusinessKind.CRAFT, BusinessKind.TRADE]
    )
    for enrollment in cohort.enrollments.filter(status=EnrollmentStatus.COMPLETED).prefetch_related("follow_ups"):
        before = rng.choice([0, 0, 250_000, 400_000, 600_000])
        for follow_up in enrollment.follow_ups.all():
            if follow_up.due_on > today or follow_up.months_after == 12:
                continue
            has_business = rng.random() < (0.4 if follow_up.months_after == 3 else 0.6)
            online = has_business and rng.random() < 0.6
            services.outcome_record(
                actor=None,
                follow_up=follow_up,
                data={
                    "recorded_on": follow_up.due_on,
                    "is_working": has_business or rng.random() < 0.3,
                    "has_business": has_business,
                    "business_kind": rng.choice(kinds) if has_business else "",
                    "business_name": "",
                    "income_before": before,
                    "income_after": before + (rng.choice([150_000, 300_000, 500_000, 900_000]) if has_business else 0),
                    "sells_online": online,
                    "sells_on_whatsapp": online,
                    "sells_on_social_media": online and rng.random() < 0.7,
                    "sells_on_marketplace": online and rng.random() < 0.3,
                    "products": "gamis, seragam sekolah" if "Jahit" in cohort.program.name else "tas purun, anyaman",
                },
            )
            outcomes += 1
    return outcomes


def seed(*, log) -> None:
    if not Member.objects.filter(is_active=True).exists():
        log("Program: belum ada anggota keluarga di registri, data demo program dilewati")
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    sewing = _program(
        "Pelatihan Menjahit",
        kind=ProgramKind.SKILLS_TRAINING,
        description="Pelatihan menjahit pakaian dasar hingga mahir bagi perempuan prasejahtera.",
        funding_source=FundingSource.APBD,
        budget=45_000_000,
    )
    crafts = _program(
        "Kerajinan Tangan",
        kind=ProgramKind.SKILLS_TRAINING,
        organiser_kind=OrganiserKind.INSTITUTION,
        organiser_name="LKS Bina Sejahtera Kertapati",
        description="Anyaman purun dan kerajinan dari bahan daur ulang.",
        funding_source=FundingSource.CSR,
        budget=30_000_000,
    )
    log_lines = []
    for program, venue, trainers, topics, offset in (
        (
            sewing,
            "Aula Kantor Camat Kertapati",
            "Ibu Sri Wahyuni, Ibu Nurhayati",
            [
                "Mengenal mesin jahit",
                "Pola dasar",
                "Menjahit rok",
                "Menjahit blus",
                "Menjahit gamis",
                "Finishing dan label",
            ],
            260,
        ),
        (
            crafts,
            "Balai Kelurahan Keramasan",
            "Bapak Hendra Gunawan",
            ["Mengenal purun", "Teknik anyam dasar", "Membuat tas", "Pewarnaan alami", "Pemasaran daring"],
            240,
        ),
    ):
        cohort, created = _cohort(
            program,
            number=1,
            starts_on=today - datetime.timedelta(days=offset),
            days=35,
            venue=venue,
            trainers=trainers,
            capacity=12,
            topics=topics,
        )
        if created:
            enrolled = _enroll(cohort, 12)
            outcomes = _run_finished(cohort, rng, evaluated=program == sewing)
            log_lines.append(f"{program.name} angkatan 1: {len(enrolled)} peserta, {outcomes} hasil tindak lanjut")

    open_cohort, created = _cohort(
        sewing,
        number=2,
        starts_on=today + datetime.timedelta(days=14),
        days=42,
        venue="Aula Kantor Camat Kertapati",
        trainers="Ibu Sri Wahyuni",
        capacity=15,
        topics=["Mengenal mesin jahit", "Pola dasar", "Menjahit rok", "Menjahit blus"],
    )
    if created:
        log_lines.append(f"Pelatihan Menjahit angkatan 2 (dibuka): {len(_enroll(open_cohort, 6))} peserta diterima")

    name = "Kelompok Jahit Perempuan Keramasan"
    if not GroupEnterprise.objects.filter(name=name).exists():
        group = services.enterprise_create(
            actor=None,
            data={
                "name": name,
                "program": sewing,
                "kelurahan": Kelurahan.objects.get(name="Keramasan"),
                "business_kind": BusinessKind.TAILORING,
                "products": "Gamis, seragam sekolah, masker kain, tas belanja",
                "founded_on": today - datetime.timedelta(days=180),
                "sells_online": True,
            },
        )
        graduates = list(
            Member.objects.filter(
                pk__in=sewing.cohorts.get(number=1)
                .enrollments.filter(status=EnrollmentStatus.COMPLETED)
                .values("member_id")
            )[:6]
        )
        for i, member in enumerate(graduates):
            services.enterprise_add_member(
                actor=None,
                enterprise=group,
                member=member,
                role="ketua" if i == 0 else "anggota",
                joined_on=group.founded_on,
            )
        month = today.replace(day=1)
        for back in range(6, 0, -1):
            amount = 1_500_000 + (6 - back) * 450_000 + rng.choice([0, 100_000, 250_000])
            services.sale_record(
                actor=None,
                enterprise=group,
                data={
                    "month": services.add_months(month, -back),
                    "amount": amount,
                    "online_amount": amount * (35 + 5 * (6 - back)) // 100,
                    "units_sold": amount // 85_000,
                },
            )
        log_lines.append(f"Usaha kelompok: {group.name}, {len(graduates)} anggota, 6 bulan penjualan")
    for line in log_lines or ["Program: sudah ada, tidak ada yang ditambah"]:
        log(line)
