from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from strongroom.protection.mailer.models import Outbox


def mail_counts(*, days: int = 7) -> dict[str, int]:
    """How many emails of the last ``days`` days are in each state (no content)."""
    since = timezone.now() - dt.timedelta(days=days)
    rows = Outbox.objects.filter(created_at__gte=since).values("status").annotate(n=Count("pk"))
    counts = {"queued": 0, "sent": 0, "failed": 0, "cancelled": 0}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
