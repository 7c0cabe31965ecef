"""Eligibility rules of a cohort: stored as validated JSON, evaluated in SQL as one Q over Member.

A rule is `{"combinator": "and" | "or", "conditions": [condition, ...]}`; an empty list means everyone.
Conditions (all read registry fields, never code):

- `{"type": "age", "min": 18, "max": 45}`: age in whole years on the reference date (either bound optional)
- `{"type": "sex", "value": 2}`
- `{"type": "desil_max", "value": 4}`: household desil at most N (unknown desil does not qualify)
- `{"type": "kelurahan", "values": [ids]}`
- `{"type": "education", "min": 3, "max": 5}`: Dukcapil education level (unknown does not qualify)
- `{"type": "not_graduate"}`: has not completed this program before
- `{"type": "household_not_in_program"}`: no other member of the household takes or took part in this program

`evaluate_python` is the same rule written over plain objects; the property test holds the two equal.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.choices import Education, Sex

CONDITION_TYPES = {
    "age": gettext_lazy("Umur"),
    "sex": gettext_lazy("Jenis kelamin"),
    "desil_max": gettext_lazy("Desil paling tinggi"),
    "kelurahan": gettext_lazy("Kelurahan"),
    "education": gettext_lazy("Pendidikan terakhir"),
    "not_graduate": gettext_lazy("Belum pernah lulus program ini"),
    "household_not_in_program": gettext_lazy("Tidak ada anggota keluarga lain di program ini"),
}
COMBINATORS = {"and": gettext_lazy("SEMUA syarat (DAN)"), "or": gettext_lazy("SALAH SATU syarat (ATAU)")}


def _int(value, *, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(_("%(where)s: harus berupa bilangan bulat.") % {"where": where}, code="rule_not_int")
    if not low <= value <= high:
        raise ValidationError(
            _("%(where)s: harus antara %(low)s dan %(high)s.") % {"where": where, "low": low, "high": high},
            code="rule_out_of_range",
        )
    return value


def validate_rule(rule) -> dict:
    """Returns the rule in canonical form or raises ValidationError saying which condition is wrong."""
    if rule in (None, {}):
        return {"combinator": "and", "conditions": []}
    if not isinstance(rule, dict):
        raise ValidationError(_("Aturan kelayakan harus berupa objek."), code="rule_not_object")
    combinator = rule.get("combinator", "and")
    if combinator not in COMBINATORS:
        raise ValidationError(_("Penggabung aturan harus DAN atau ATAU."), code="rule_combinator")
    conditions = rule.get("conditions", [])
    if not isinstance(conditions, list):
        raise ValidationError(_("Daftar syarat tidak sah."), code="rule_conditions")
    clean = []
    for index, condition in enumerate(conditions, start=1):
        where = _("Syarat %(n)s") % {"n": index}
        if not isinstance(condition, dict) or condition.get("type") not in CONDITION_TYPES:
            raise ValidationError(_("%(where)s: jenis syarat tidak dikenal.") % {"where": where}, code="rule_type")
        kind = condition["type"]
        if kind in ("age", "education"):
            high = 120 if kind == "age" else max(Education.values)
            low = 0 if kind == "age" else min(Education.values)
            bounds = {}
            for key in ("min", "max"):
                if condition.get(key) is not None:
                    bounds[key] = _int(condition[key], where=where, low=low, high=high)
            if not bounds:
                raise ValidationError(
                    _("%(where)s: isi batas bawah atau batas atas.") % {"where": where}, code="rule_no_bounds"
                )
            if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
                raise ValidationError(
                    _("%(where)s: batas bawah lebih besar dari batas atas.") % {"where": where}, code="rule_bounds"
                )
            clean.append({"type": kind, **bounds})
        elif kind == "sex":
            value = condition.get("value")
            if value not in Sex.values:
                raise ValidationError(_("%(where)s: pilih jenis kelamin.") % {"where": where}, code="rule_sex")
            clean.append({"type": kind, "value": value})
        elif kind == "desil_max":
            clean.append({"type": kind, "value": _int(condition.get("value"), where=where, low=1, high=10)})
        elif kind == "kelurahan":
            values = condition.get("values")
            if not isinstance(values, list) or not values:
                raise ValidationError(_("%(where)s: pilih paling sedikit satu kelurahan.") % {"where": where})
            clean.append({"type": kind, "values": sorted({_int(v, where=where, low=1, high=10**9) for v in values})})
        else:
            clean.append({"type": kind})
    return {"combinator": combinator, "conditions": clean}


def _years_before(date: datetime.date, years: int) -> datetime.date:
    try:
        return date.replace(year=date.year - years)
    except ValueError:  # 29 February in a non-leap year
        return date.replace(year=date.year - years, day=28)


def condition_q(condition: dict, *, program_id: int, ref_date: datetime.date) -> Q:
    from programs.models import PARTICIPATING_STATUSES, Enrollment, EnrollmentStatus

    kind = condition["type"]
    if kind == "age":
        # Age >= min  <=>  born on or before ref - min years; age <= max  <=>  born after ref - (max + 1) years.
        q = Q()
        if "min" in condition:
            q &= Q(birth_date__lte=_years_before(ref_date, condition["min"]))
        if "max" in condition:
            q &= Q(birth_date__gt=_years_before(ref_date, condition["max"] + 1))
        return q
    if kind == "sex":
        return Q(sex=condition["value"])
    if kind == "desil_max":
        return Q(household__desil__isnull=False, household__desil__lte=condition["value"])
    if kind == "kelurahan":
        return Q(household__kelurahan_id__in=condition["values"])
    if kind == "education":
        q = Q(education__isnull=False)
        if "min" in condition:
            q &= Q(education__gte=condition["min"])
        if "max" in condition:
            q &= Q(education__lte=condition["max"])
        return q
    if kind == "not_graduate":
        return ~Q(
            Exists(
                Enrollment.objects.filter(
                    member_id=OuterRef("pk"), program_id=program_id, status=EnrollmentStatus.COMPLETED
                )
            )
        )
    if kind == "household_not_in_program":
        return ~Q(
            Exists(
                Enrollment.objects.filter(
                    member__household_id=OuterRef("household_id"),
                    program_id=program_id,
                    status__in=PARTICIPATING_STATUSES,
                ).exclude(member_id=OuterRef("pk"))
            )
        )
    raise ValueError(kind)


def rule_q(rule: dict, *, program_id: int, ref_date: datetime.date) -> Q:
    rule = validate_rule(rule)
    parts = [condition_q(c, program_id=program_id, ref_date=ref_date) for c in rule["conditions"]]
    if not parts:
        return Q()
    combined = parts[0]
    for part in parts[1:]:
        combined = (combined | part) if rule["combinator"] == "or" else (combined & part)
    return combined


def eligible_members(queryset, *, cohort):
    """Active members of active households matching the cohort's rule (queryset already scoped by the caller)."""
    return queryset.filter(is_active=True, household__is_active=True).filter(
        rule_q(cohort.eligibility_rule, program_id=cohort.program_id, ref_date=cohort.starts_on)
    )


def evaluate_python(rule: dict, *, facts: dict, ref_date: datetime.date) -> bool:
    """The same rule over plain facts: birth_date, sex, desil, kelurahan_id, education, is_graduate,
    household_in_program. Used by tests to check the SQL, and to explain a single refusal."""
    rule = validate_rule(rule)
    results = []
    for c in rule["conditions"]:
        kind = c["type"]
        if kind == "age":
            born = facts["birth_date"]
            age = ref_date.year - born.year - ((ref_date.month, ref_date.day) < (born.month, born.day))
            ok = (c.get("min") is None or age >= c["min"]) and (c.get("max") is None or age <= c["max"])
        elif kind == "sex":
            ok = facts["sex"] == c["value"]
        elif kind == "desil_max":
            ok = facts["desil"] is not None and facts["desil"] <= c["value"]
        elif kind == "kelurahan":
            ok = facts["kelurahan_id"] in c["values"]
        elif kind == "education":
            edu = facts["education"]
            ok = (
                edu is not None
                and (c.get("min") is None or edu >= c["min"])
                and (c.get("max") is None or edu <= c["max"])
            )
        elif kind == "not_graduate":
            ok = not facts["is_graduate"]
        else:
            ok = not facts["household_in_program"]
        results.append(ok)
    if not results:
        return True
    return any(results) if rule["combinator"] == "or" else all(results)


def describe(rule: dict) -> list[str]:
    """Human-readable Indonesian lines for a rule (shown on the cohort page)."""
    from core.models import Kelurahan

    rule = validate_rule(rule)
    lines = []
    for c in rule["conditions"]:
        kind = c["type"]
        if kind == "age":
            if "min" in c and "max" in c:
                lines.append(_("Umur %(a)s–%(b)s tahun") % {"a": c["min"], "b": c["max"]})
            elif "min" in c:
                lines.append(_("Umur paling sedikit %(a)s tahun") % {"a": c["min"]})
            else:
                lines.append(_("Umur paling tinggi %(b)s tahun") % {"b": c["max"]})
        elif kind == "sex":
            lines.append(_("Jenis kelamin: %(s)s") % {"s": Sex(c["value"]).label})
        elif kind == "desil_max":
            lines.append(_("Desil paling tinggi %(n)s") % {"n": c["value"]})
        elif kind == "kelurahan":
            names = ", ".join(Kelurahan.objects.filter(pk__in=c["values"]).values_list("name", flat=True))
            lines.append(_("Kelurahan: %(k)s") % {"k": names})
        elif kind == "education":
            low = Education(c["min"]).label if "min" in c else "…"
            high = Education(c["max"]).label if "max" in c else "…"
            lines.append(_("Pendidikan: %(a)s s.d. %(b)s") % {"a": low, "b": high})
        else:
            lines.append(str(CONDITION_TYPES[kind]))
    return lines
