"""Two staff take the last seat at the same moment: exactly one is accepted, the other waitlisted."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from programs import services
from programs.models import CohortStatus, Enrollment, EnrollmentStatus
from tests.factories.programs import CohortFactory, ProgramFactory
from tests.programs.conftest import make_women


def _race(targets):
    """Runs each (cohort, member) enrollment in its own thread and database connection, released together."""
    barrier = threading.Barrier(len(targets))
    results, errors = [], []

    def work(cohort, member):
        try:
            barrier.wait()
            results.append(services.enrollment_create(actor=None, cohort=cohort, member=member).status)
        except ValidationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_enrollment_last_seat_goes_to_exactly_one(attempt):
    cohort = CohortFactory(status=CohortStatus.OPEN, capacity=2)
    taken, first, second = make_women(3)
    services.enrollment_create(actor=None, cohort=cohort, member=taken)

    results, errors = _race([(cohort, first), (cohort, second)])

    assert errors == []
    assert sorted(results) == sorted([EnrollmentStatus.ACCEPTED, EnrollmentStatus.WAITLISTED])
    assert Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.ACCEPTED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_enrollment_same_member_two_cohorts_of_program_at_once_only_one():
    program = ProgramFactory()
    cohort_a = CohortFactory(program=program, status=CohortStatus.OPEN)
    cohort_b = CohortFactory(program=program, status=CohortStatus.OPEN)
    (member,) = make_women(1)

    results, errors = _race([(cohort_a, member), (cohort_b, member)])

    assert len(results) == 1
    assert len(errors) == 1
    assert "sudah ikut angkatan lain" in errors[0].messages[0]
    assert Enrollment.objects.filter(member=member).count() == 1
