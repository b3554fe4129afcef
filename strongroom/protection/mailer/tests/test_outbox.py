"""The outbox: messages stored encrypted, sent once and wiped; an address the server
refuses is recorded and not retried; an erased recipient's message is cancelled; the
decoy leaves nothing behind."""

from __future__ import annotations

import socketserver
import threading

import pytest
from django.db import connection, transaction

from strongroom.jobs.models import PendingTask, TaskStatus
from strongroom.protection.mailer.jobs import mail_send
from strongroom.protection.mailer.models import MailStatus, Outbox
from strongroom.protection.mailer.services import mail_decoy, mail_queue
from strongroom.protection.vault.services import subject_shred
from strongroom.testing.factories import user_make

pytestmark = pytest.mark.django_db


def _queue(user, body="Reset: https://shop.example/r/tok-123/") -> Outbox:
    return mail_queue(subject_id=user.subject_id, to=user.email, headline="Reset",
                      body=body, kind="password_reset")


def test_the_message_is_stored_encrypted_sent_once_and_wiped(mailoutbox,
                                                             django_capture_on_commit_callbacks):
    user = user_make(email="olive@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue(user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient, headline, body FROM mailer_outbox")
        raw = b"".join(bytes(v) if not isinstance(v, str) else v.encode()
                       for v in cursor.fetchone())
    assert b"olive" not in raw and b"tok-123" not in raw
    [message] = mailoutbox
    assert message.to == ["olive@example.test"] and "tok-123" in message.body
    row.refresh_from_db()
    assert (row.status, str(row.body), row.attempts) == (MailStatus.SENT, "", 1)
    assert PendingTask.objects.get().kwargs == {"outbox_id": str(row.pk)}
    mail_send.func(outbox_id=str(row.pk))  # a duplicate delivery of the message
    assert len(mailoutbox) == 1


class _Refusing(socketserver.StreamRequestHandler):
    """A mail server that refuses every recipient for good (550)."""

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        for line in self.rfile:
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == b"RCPT":
                self.wfile.write(b"550 5.1.1 <someone@example.test> no such user\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def refusing_smtp(settings):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.shutdown()
    server.server_close()


def test_an_address_the_server_refuses_is_recorded_and_not_retried(
        refusing_smtp, django_capture_on_commit_callbacks):
    user = user_make(email="nobody-here@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        row = _queue(user)
    row.refresh_from_db()
    assert row.status == MailStatus.FAILED and row.attempts == 1
    assert row.failure == "the mail server refused the address (550)"  # no address in it
    assert str(row.body) == ""
    task = PendingTask.objects.get()
    assert (task.status, task.attempts) == (TaskStatus.FAILED, 1)


def test_an_erased_recipients_message_is_cancelled_not_sent(mailoutbox):
    user = user_make(email="gone@example.test")
    with transaction.atomic():
        row = _queue(user)
    subject_shred(subject_id=user.subject_id)
    mail_send.func(outbox_id=str(row.pk))
    row.refresh_from_db()
    assert row.status == MailStatus.CANCELLED and mailoutbox == []


def test_the_decoy_does_the_work_and_leaves_nothing(mailoutbox,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail_decoy(template="accounts/email/password_reset.txt")
    assert not Outbox.objects.exists() and not PendingTask.objects.exists()
    assert mailoutbox == []
