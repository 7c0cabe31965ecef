"""A registry merge (beneficiaries.merging's member handler): the aid rows of the dropped member follow the kept
one. Runs inside the merge transaction, whose service checked who merges."""

from aid_distribution.models import Delivery, SupportCase


def member_merge_move(from_member, to_member) -> None:
    """Deliveries received and support cases follow the kept member record."""
    Delivery.objects.filter(recipient_member=from_member).update(recipient_member=to_member)
    SupportCase.objects.filter(member=from_member).update(member=to_member)
