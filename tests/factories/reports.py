"""Report factories: a small hand-built registry whose every figure is known, and finished report runs."""

import datetime

import factory
from django.utils import timezone

from beneficiaries import choices
from beneficiaries.models import Household, Member
from reports.builders.periods import month_end, month_start, years_before
from reports.models import ReportRun, ReportType, RunStatus
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.core import kelurahan


class ReportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportRun

    report_type = ReportType.BULANAN
    period_start = factory.LazyFunction(lambda: month_start(timezone.localdate()))
    period_end = factory.LazyAttribute(lambda o: month_end(o.period_start))
    kelurahan = None
    status = RunStatus.DONE
    progress = 100
    requested_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)


def _backdate(model, obj, *, days: int = 100) -> None:
    """Moves a row's creation (and last change) before the report month, bypassing auto_now(_add)."""
    earlier = timezone.now() - datetime.timedelta(days=days)
    model.objects.filter(pk=obj.pk).update(created_at=earlier, updated_at=earlier)


def _person(household, *, age: int, end: datetime.date, female=False, **kwargs) -> Member:
    # Born exactly `age` years before the end of the period, minus a day: aged `age` on the reference date.
    birth = years_before(end, age) - datetime.timedelta(days=1)
    return MemberFactory(household=household, birth_date=birth, female=female, **kwargs)


def known_registry() -> dict:
    """A registry in the current month whose figures are worked out by hand in the docstring of each test.

    Keramasan: h1 new (desil 1, DTKS, 5 members), h2 changed (desil 3), h3 unchanged (no desil, one member
    removed this month), h4 removed this month (desil 2). Kemang Agung: h5 (desil 4, 2 members).
    """
    end = month_end(timezone.localdate())
    keramasan, kemang = kelurahan("Keramasan"), kelurahan("Kemang Agung")
    E = choices.Education
    S = choices.SchoolParticipation

    h1 = HouseholdFactory(kelurahan=keramasan, desil=1, is_in_dtks=True)
    _person(h1, age=40, end=end, education=E.PRIMARY)
    _person(h1, age=38, end=end, female=True, education=E.NONE, disability=choices.Disability.PHYSICAL)
    _person(h1, age=10, end=end, education=E.PRIMARY_INCOMPLETE, school_participation=S.IN_SCHOOL)
    _person(h1, age=15, end=end, female=True, education=E.PRIMARY, school_participation=S.NO_LONGER)
    _person(h1, age=17, end=end, education=E.JUNIOR_SECONDARY, school_participation=None)

    h2 = HouseholdFactory(kelurahan=keramasan, desil=3)
    old_members = [
        _person(h2, age=65, end=end, education=E.PRIMARY_INCOMPLETE),
        _person(h2, age=7, end=end, female=True, education=None, school_participation=S.NEVER),
        _person(h2, age=19, end=end, education=E.SENIOR_SECONDARY),
    ]
    _backdate(Household, h2)
    Household.objects.filter(pk=h2.pk).update(updated_at=timezone.now())  # changed this month

    h3 = HouseholdFactory(kelurahan=keramasan, desil=None)
    old_members.append(_person(h3, age=30, end=end, female=True, education=E.BACHELOR))
    gone = _person(h3, age=80, end=end)
    _backdate(Household, h3)

    h4 = HouseholdFactory(kelurahan=keramasan, desil=2)
    old_members.append(_person(h4, age=50, end=end))
    _backdate(Household, h4)
    Household.objects.filter(pk=h4.pk).update(
        is_active=False,
        removed_at=timezone.now(),
        removed_reason=choices.RemovalReason.DECEASED,
        updated_at=timezone.now(),
    )

    h5 = HouseholdFactory(kelurahan=kemang, desil=4)
    old_members += [
        _person(h5, age=25, end=end, female=True, education=E.NONE),
        _person(h5, age=6, end=end, education=None),
    ]
    _backdate(Household, h5)
    for member in [*old_members, gone]:
        _backdate(Member, member)
    # The 80-year-old died this month; h4's member went with h4 (household_deactivate removes the members too).
    Member.objects.filter(pk__in=[gone.pk, *h4.members.values_list("pk", flat=True)]).update(
        is_active=False, removed_at=timezone.now(), removed_reason=choices.RemovalReason.DECEASED
    )
    return {"keramasan": keramasan, "kemang_agung": kemang, "households": [h1, h2, h3, h4, h5]}
