"""Sending queued emails (``mail-send``, run by the worker) and pruning the outbox."""

from __future__ import annotations

import datetime as dt
import smtplib

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from strongroom.jobs.registry import PermanentFailure, background, scheduled
from strongroom.protection.mailer.models import MailStatus, Outbox
from strongroom.protection.vault.errors import DecryptionError

RETRIES = 6  # 7 attempts over about half an hour (30 s, 1, 2, 4, 8, 16 min)
KEEP_SENT = dt.timedelta(days=30)


class MailNotSent(Exception):
    """A transient failure (server unreachable, 4xx): retried later."""


def _refused(exc: Exception) -> str | None:
    """Why the server refused for good (a 5xx answer), or None if it may work later.
    Only codes and the exception class: a server's text quotes the address."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        if codes and all(code >= 500 for code in codes):
            return f"the mail server refused the address ({', '.join(map(str, codes))})"
        return None
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500:
        return f"the mail server refused the message ({exc.smtp_code})"
    return None


def _finish(row_id: str, status: str, failure: str = "") -> None:
    if status == MailStatus.CANCELLED:  # erased: unreadable already, nothing to re-seal
        Outbox.objects.filter(pk=row_id).update(status=status, failure=failure[:300])
        return
    row = Outbox.objects.select_for_update().get(pk=row_id)
    row.status, row.failure = status, failure[:300]
    if status == MailStatus.SENT:
        row.sent_at = timezone.now()
    row.body = ""  # the links in it are no one's business once it is out (or dead)
    row.save()


@background("mail-send", retries=RETRIES, retry_delay=30)
def mail_send(*, outbox_id: str) -> None:
    with transaction.atomic():
        row = Outbox.objects.select_for_update().filter(pk=outbox_id).first()
        if row is None or row.status != MailStatus.QUEUED:
            return  # sent by an earlier delivery of this message, or cancelled
        row.attempts += 1
        row.save(update_fields=["attempts"])
    try:
        to, headline, body = str(row.recipient or ""), str(row.headline), str(row.body)
    except DecryptionError:
        to = ""
    if not to or "@" not in to:  # the recipient was erased meanwhile
        with transaction.atomic():
            _finish(outbox_id, MailStatus.CANCELLED, "the recipient's data was erased")
        return
    try:
        send_mail(headline, body, None, [to], fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        refused = _refused(exc)
        if refused is None and row.attempts <= RETRIES:
            raise MailNotSent(f"{type(exc).__name__}; attempt {row.attempts}") from None
        failure = refused or f"gave up after {row.attempts} attempts ({type(exc).__name__})"
        with transaction.atomic():
            _finish(outbox_id, MailStatus.FAILED, failure)
        raise PermanentFailure(failure) from None
    with transaction.atomic():
        _finish(outbox_id, MailStatus.SENT)


@scheduled("mail-prune", schedule="45 4 * * *",
           description="Forget sent, failed and cancelled emails after 30 days")
def mail_prune() -> dict[str, int]:
    cutoff = timezone.now() - KEEP_SENT
    deleted, _ = Outbox.objects.exclude(status=MailStatus.QUEUED).filter(
        created_at__lt=cutoff).delete()
    return {"deleted": deleted}
