"""``strongroom backup prune``: grandfather-father-son retention at every destination.

Each destination is pruned on its own (a backup that failed to reach one folder is not
counted there), one failing destination alerts and does not stop the others, and copies
of killed runs (``.partial-*``) are removed. Deleting a backup removes its signature
first, so a half-deleted backup is an incomplete one, never a "complete" damaged one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.backups.errors import DestinationError
from strongroom.protection.backups.internal.destinations import destination_for
from strongroom.protection.backups.internal.gfs import Policy, gfs_keep
from strongroom.protection.backups.internal.run import destination_failed, safe_url


def backups_prune(*, policy: Policy | None = None) -> dict[str, tuple[int, int | str]]:
    """Returns destination -> (kept, deleted) or (0, error message)."""
    now = timezone.now()
    summary: dict[str, tuple[int, int | str]] = {}
    for url in settings.STRONGROOM_BACKUPS.destinations:
        try:
            dest = destination_for(url)
            dest.clean_partial()
            ids = dest.ids()
            keep = gfs_keep(ids, now=now, policy=policy or Policy())
            doomed = [i for i in ids if i not in keep]
            for backup_id in doomed:
                dest.delete(backup_id)
            summary[safe_url(url)] = (len(keep), len(doomed))
        except DestinationError as exc:
            destination_failed(url, "prune", exc.message)
            summary[safe_url(url)] = (0, exc.message)
    with transaction.atomic():
        audit_record(event=AuditEvent.BACKUPS_PRUNED, actor=Actor.system("backups"),
                     object=("backups.prune", now.strftime("%Y%m%dT%H%M%SZ")),
                     reason="; ".join(f"{u}: kept {k}, deleted {d}"
                                      for u, (k, d) in summary.items())[:500])
    return summary
