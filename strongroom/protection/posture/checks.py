"""Deploy checks of the posture app (visible in ``strongroom check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError

from .selectors import findings_open_at_least


@checks.register(checks.Tags.security, deploy=True)
def check_open_critical(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """posture.W001: the last scans found a critical vulnerability still open."""
    try:
        critical = findings_open_at_least(severity="critical")
    except DatabaseError:  # not migrated yet: nothing to say
        return []
    if not critical:
        return []
    names = ", ".join(sorted({f"{f.package} {f.version} ({f.advisory_id})" for f in critical}))
    return [checks.Warning(
        f"{len(critical)} open critical vulnerabilit{'y' if len(critical) == 1 else 'ies'}: "
        f"{names[:300]}",
        hint="upgrade as `strongroom security scan` says, then scan again",
        id="posture.W001")]
