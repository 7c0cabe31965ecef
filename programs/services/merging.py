"""When the registry merges two member records, their enrollments and group memberships follow (issue 3, 5).

A merge handler (beneficiaries.merging): the registry's merge service has checked its actor and runs this
inside its transaction, so it takes the two members only.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from programs.models import Enrollment, GroupMembership


def move_member(from_member, to_member) -> None:
    """Refuses (and so rolls the merge back) when both records sit in the same cohort or open program."""
    try:
        with transaction.atomic():
            Enrollment.objects.filter(member=from_member).update(member=to_member)
            GroupMembership.objects.filter(member=from_member).update(member=to_member)
    except IntegrityError:
        raise ValidationError(
            _(
                "Kedua data terdaftar di angkatan atau program yang sama. Selesaikan salah satu "
                "pendaftaran di halaman program sebelum menggabungkan."
            ),
            code="merge_enrollment_conflict",
        )
