"""Queueing an email: the rendered message goes into the encrypted outbox, in the
caller's transaction, and the worker's ``mail-send`` task gets only the row's id.

The caller rendered the message; nothing here decides who may be emailed, except that a
canary record never is."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from strongroom.hiddensubjects import hidden_subject_is
from strongroom.protection.mailer.jobs import mail_send
from strongroom.protection.mailer.models import Outbox
from strongroom.protection.vault.services import subject_create


def mail_queue(*, subject_id: Any, to: str, headline: str, body: str, kind: str) -> Outbox:
    """Store the message encrypted under ``subject_id`` (the recipient's vault subject)
    and queue it for sending once the current transaction commits.

    A hidden subject (a canary record, ``strongroom.hiddensubjects``) is never mailed: the
    store writing to the trap address would blur the one sign its mailbox gives (mail
    there means the address leaked). The same work is done and rolled back, so the time a
    request takes (a reset asked for a canary's address) does not tell it apart."""
    if hidden_subject_is(subject_id):
        try:
            with transaction.atomic():
                row = _queue(subject_id=subject_id, to=to, headline=headline, body=body,
                             kind=kind)
                raise _Decoy
        except _Decoy:
            return row
    return _queue(subject_id=subject_id, to=to, headline=headline, body=body, kind=kind)


def _queue(*, subject_id: Any, to: str, headline: str, body: str, kind: str) -> Outbox:
    row = Outbox.objects.create(subject_id=subject_id, recipient=to, headline=headline[:300],
                                body=body, kind=kind[:40], created_at=timezone.now())
    mail_send.defer(outbox_id=str(row.pk))
    return row


class _Decoy(Exception):
    pass


def mail_decoy(*, template: str) -> None:
    """The work of queueing an email, undone: render ``template``, encrypt it under a
    fresh subject and write the rows, then roll back. For requests that must take as
    long whether or not they email someone (a reset for an unknown address), so the
    response time does not say whether an account exists."""
    body = render_to_string(template, {"store_name": "", "link": "x" * 120, "minutes": 30})
    try:
        with transaction.atomic():
            _queue(subject_id=subject_create().pk, to="decoy@invalid.example",
                   headline="decoy", body=body, kind="decoy")
            raise _Decoy
    except _Decoy:
        pass
