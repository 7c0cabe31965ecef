"""When the registry merges two member records, grievances and requests about them follow the kept one."""

from grievances.models import ChangeRequest, Grievance, SubjectRequest


def move_member(from_member, to_member) -> None:
    for model in (Grievance, ChangeRequest, SubjectRequest):
        model.objects.filter(member=from_member).update(member=to_member)
