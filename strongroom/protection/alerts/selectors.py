from __future__ import annotations

from django.db.models import Count

from .models import Alert, Severity


def alerts_open(*, kind_prefix: str = "", limit: int = 200) -> list[Alert]:
    """Open alerts, newest first (``kind_prefix`` narrows: "signin.", "payments.")."""
    qs = Alert.objects.filter(acknowledged_at=None)
    if kind_prefix:
        qs = qs.filter(kind__startswith=kind_prefix)
    return list(qs.order_by("-last_seen")[:limit])


def alerts_list(*, limit: int = 200, kind_prefix: str = "") -> list[Alert]:
    """Open alerts first (newest first), then the most recently acknowledged."""
    open_ = alerts_open(limit=limit, kind_prefix=kind_prefix)
    done = Alert.objects.exclude(acknowledged_at=None).order_by("-acknowledged_at")
    if kind_prefix:
        done = done.filter(kind__startswith=kind_prefix)
    return open_ + list(done[: max(0, limit - len(open_))])


def alert_counts() -> dict[str, int]:
    """Open alerts by severity (the console's navigation badge, the dashboard)."""
    counts = {s.value: 0 for s in Severity}
    rows = (Alert.objects.filter(acknowledged_at=None).values_list("severity")
            .annotate(n=Count("id")))
    for severity, n in rows:
        counts[severity] = n
    return counts


def alert_get(*, alert_id: int) -> Alert | None:
    return Alert.objects.filter(pk=alert_id).first()
