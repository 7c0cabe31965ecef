"""The daily overdue notice: e-mail when a real mail backend is configured, otherwise an in-app notice.

One Notification row per assignee and day is written either way (a unique constraint), so a second run on the
same day, a retry or a second beat sends nothing twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grievances.models import Grievance, Notification

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


def uses_email() -> bool:
    return settings.EMAIL_BACKEND != CONSOLE_BACKEND


def _body(grievances: list[Grievance], today: datetime.date) -> str:
    lines = [
        _("#%(id)s %(title)s (%(kel)s), batas %(due)s, terlambat %(days)s hari")
        % {
            "id": g.pk,
            "title": g.title,
            "kel": g.kelurahan.name,
            "due": g.due_on.strftime("%d-%m-%Y"),
            "days": (today - g.due_on).days,
        }
        for g in grievances
    ]
    return "\n".join(lines)


def notify_overdue_grievances(*, today: datetime.date | None = None) -> int:
    """Returns how many notices were sent now (0 on a repeated run the same day)."""
    today = today or timezone.localdate()
    overdue = (
        Grievance.objects.overdue(today)
        .filter(assigned_to__isnull=False, assigned_to__is_active=True)
        .select_related("kelurahan")
        .order_by("assigned_to_id", "due_on", "pk")
    )
    per_user: dict[int, list[Grievance]] = defaultdict(list)
    for grievance in overdue:
        per_user[grievance.assigned_to_id].append(grievance)
    if not per_user:
        return 0
    already = set(
        Notification.objects.filter(kind=Notification.Kind.OVERDUE, sent_on=today, user_id__in=per_user).values_list(
            "user_id", flat=True
        )
    )
    users = get_user_model().objects.in_bulk([pk for pk in per_user if pk not in already])
    channel = Notification.ChannelKind.EMAIL if uses_email() else Notification.ChannelKind.IN_APP
    sent = 0
    for user_id, user in users.items():
        items = per_user[user_id]
        title = ngettext("%(n)s pengaduan lewat batas waktu", "%(n)s pengaduan lewat batas waktu", len(items)) % {
            "n": len(items)
        }
        body = _body(items, today)
        use_mail = channel == Notification.ChannelKind.EMAIL and bool(user.email)
        try:
            with transaction.atomic():
                Notification.objects.create(
                    user=user,
                    kind=Notification.Kind.OVERDUE,
                    channel=channel if use_mail else Notification.ChannelKind.IN_APP,
                    sent_on=today,
                    title=title,
                    body=body,
                )
                if use_mail:
                    # Inside the transaction: if the mail server refuses, the row goes too and a retry sends it.
                    send_mail(
                        subject=f"[Kesos Kertapati] {title}",
                        message=body
                        + "\n\n"
                        + _("Buka daftar tugas Anda: %(url)s") % {"url": reverse("grievances:my_tasks")},
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        recipient_list=[user.email],
                    )
        except IntegrityError:
            continue  # another run got there first today
        sent += 1
    return sent
