"""Queueing an email: the rendered message goes into the encrypted outbox, in the
caller's transaction, and the worker's ``mail-send`` task gets only the row's id.

The caller rendered the message; nothing here decides who may be emailed."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from strongroom.protection.mailer.models import Outbox


def mail_queue(*, subject_id: Any, to: str, headline: str, body: str, kind: str) -> Outbox:
    """Store the message encrypted under ``subject_id`` (the recipient's vault subject)
    and queue it for sending once the current transaction commits."""
    from strongroom.protection.mailer.jobs import mail_send

    row = Outbox.objects.create(subject_id=subject_id, recipient=to, headline=headline[:300],
                                body=body, kind=kind[:40], created_at=timezone.now())
    mail_send.defer(outbox_id=str(row.pk))
    return row
