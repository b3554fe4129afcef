from __future__ import annotations

from .models import Alert


def alerts_open(*, kind_prefix: str = "", limit: int = 200) -> list[Alert]:
    """Open alerts, newest first (``kind_prefix`` narrows: "signin.", "payments.")."""
    qs = Alert.objects.filter(acknowledged_at=None)
    if kind_prefix:
        qs = qs.filter(kind__startswith=kind_prefix)
    return list(qs.order_by("-last_seen")[:limit])


def alerts_list(*, limit: int = 200) -> list[Alert]:
    """Open alerts first (newest first), then the most recently acknowledged."""
    open_ = alerts_open(limit=limit)
    done = Alert.objects.exclude(acknowledged_at=None).order_by("-acknowledged_at")
    return open_ + list(done[: max(0, limit - len(open_))])
