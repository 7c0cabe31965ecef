"""Writes with business meaning for programs, split by sub-domain; `from programs import services` reaches all.

- programs.py: program_create, program_update
- cohorts.py: cohort_create, cohort_update (details and eligibility rule), cohort_transition (lifecycle),
  session_create, session_update
- enrollments.py: enrollment_create (capacity, waitlist, eligibility, consent), enrollment_transition
  (accept, reject, drop, complete, fail), cohort_complete_all
- attendance.py: attendance_record
- followups.py: followups_list_due (daily task), outcome_record, outcome_update
- enterprises.py: enterprise_create, enterprise_update, enterprise_add_member, membership_update,
  sale_record, sale_update
- merging.py: move_member (the registry's merge handler)

Every service takes `actor=` (the signed-in user, or None for the system: demo seed, tasks) and checks its
permission and kelurahan scope itself (`_common.py`). Reads live in `programs.selectors`.
"""

from programs.services._common import add_months
from programs.services.attendance import attendance_record
from programs.services.cohorts import (
    cohort_create,
    cohort_transition,
    cohort_update,
    session_create,
    session_update,
)
from programs.services.enrollments import (
    attendance_rate,
    cohort_complete_all,
    enrollment_create,
    enrollment_transition,
    meets_attendance,
    member_is_eligible,
)
from programs.services.enterprises import (
    enterprise_add_member,
    enterprise_create,
    enterprise_update,
    membership_update,
    sale_record,
    sale_update,
)
from programs.services.followups import followups_list_due, outcome_record, outcome_update
from programs.services.merging import move_member
from programs.services.programs import program_create, program_update

__all__ = [
    "add_months",
    "attendance_rate",
    "attendance_record",
    "cohort_complete_all",
    "cohort_create",
    "cohort_transition",
    "cohort_update",
    "enrollment_create",
    "enrollment_transition",
    "enterprise_add_member",
    "enterprise_create",
    "enterprise_update",
    "followups_list_due",
    "meets_attendance",
    "member_is_eligible",
    "membership_update",
    "move_member",
    "outcome_record",
    "outcome_update",
    "program_create",
    "program_update",
    "sale_record",
    "sale_update",
    "session_create",
    "session_update",
]
