"""The email sender's side of the sharing gate: an email backend that passes each
message through ``vendor_share(vendor="email", ...)`` before handing it to the real
backend (SMTP to the owner's email provider). Every send_mail in the store goes through
Django's configured backend, so this is the one place; an email provider without a
register entry gets nothing (fail closed: the send fails, ``check --deploy`` says why
with vendors.E001). Local delivery (the mail folder) is no third party and is not gated.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from strongroom.protection.people.vendors.share import vendor_share

DELIVERY = "django.core.mail.backends.smtp.EmailBackend"


class SharingGateEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        backend = getattr(settings, "STRONGROOM_EMAIL_DELIVERY_BACKEND", DELIVERY)
        self.inner = get_connection(backend, fail_silently=fail_silently, **kwargs)

    def send_messages(self, email_messages: Any) -> int:
        allowed = []
        for message in email_messages:
            kept = vendor_share(vendor="email", records=len(message.recipients()),
                                purpose="email", payload={
                                    "to": message.to, "cc": message.cc, "bcc": message.bcc,
                                    "subject": message.subject, "body": message.body,
                                    "from_email": message.from_email,
                                    "attachments": message.attachments,
                                    "alternatives": getattr(message, "alternatives", [])})
            if not kept.get("to"):
                continue  # no registered recipient field: nothing to send
            for name in ("cc", "bcc", "attachments", "alternatives"):
                if name not in kept and hasattr(message, name):
                    setattr(message, name, [])
            if "body" not in kept:
                message.body = ""
            if "subject" not in kept:
                message.subject = ""
            allowed.append(message)
        return self.inner.send_messages(allowed) if allowed else 0
