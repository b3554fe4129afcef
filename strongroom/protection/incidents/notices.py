"""Notifications after a breach: the customer notice (GDPR Art. 34(2): what happened,
what data, likely consequences, what the store did, what the customer should do, a
contact) and the regulator report (Art. 33(3) a-d), drafted from the incident and its
breach scope, edited and approved by the OWNER, then the customer notice sent in batches
by a background task (ids only) through the store's mailer.

Sending twice sends nothing the second time: a ``Delivery`` row per (incident, subject)
is written in the same transaction as each send is decided, and subjects that have one
are skipped. The mail itself goes out after that row commits (at-least-once would mean a
customer mailed twice after a crash between the two: we accept at-most-once, and the row
says "sent" only once the mailer returned).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from strongroom.commerce.orders.selectors import order_emails_by_subject
from strongroom.protection.access.roles import Role
from strongroom.protection.access.selectors import role_of
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record

from .canaries import canary_subject_ids
from .errors import IncidentError
from .models import Delivery, EntryKind, Incident, Notice, NoticeKind
from .services import timeline_write

BATCH = 100

CUSTOMER_TEXT = """Dear customer,

What happened: {title}. We became aware of it on {aware:%Y-%m-%d} (UTC).

What data: {categories}.

Likely consequences: someone may use these details to contact you pretending to be us
(phishing) or to try your password elsewhere.

What we did: we contained the incident (accounts involved were locked and signed out)
and are reviewing how it happened.

What you should do: be wary of messages asking for your password or payment details;
if we asked you to, choose a new password; use a different password on every site.

Contact: reply to this email or write to {contact}.
"""

REGULATOR_TEXT = """(a) Nature of the breach: {kind}: {title}.
    Categories of data: {categories}.
    Approximate number of data subjects concerned: {subjects}.
    Approximate number of records concerned: {records}.
(b) Contact point for more information (DPO or other): {contact}.
(c) Likely consequences: [describe].
(d) Measures taken or proposed, including to mitigate adverse effects: [describe].
Became aware: {aware:%Y-%m-%d %H:%M} UTC. Reported: [date].
"""


def _contact() -> str:
    return getattr(settings, "DEFAULT_FROM_EMAIL", "") or "the store"


def notices_draft(*, incident: Incident) -> list[Notice]:
    """Both drafts, created from the incident and its scope the first time."""
    scope = list(incident.scope.all())
    categories = sorted({c for s in scope for c in s.categories.split(",") if c})
    values = {"title": incident.title, "aware": incident.became_aware_at,
              "kind": incident.get_kind_display(), "contact": _contact(),
              "categories": ", ".join(categories) or "[which data]",
              "subjects": len(scope), "records": sum(s.events for s in scope)}
    out = []
    for kind, subject, text in (
            (NoticeKind.CUSTOMER, "Important: a security incident involving your data",
             CUSTOMER_TEXT), (NoticeKind.REGULATOR, f"Personal data breach {incident}",
                              REGULATOR_TEXT)):
        notice, _ = Notice.objects.get_or_create(
            incident=incident, kind=kind,
            defaults={"subject": subject, "body": text.format(**values)})
        out.append(notice)
    return out


def notice_edit(*, notice: Notice, by: Any, subject: str, body: str, request: Any = None) -> None:
    if not subject.strip() or not body.strip():
        raise IncidentError("A notice needs a subject line and a text.")
    with transaction.atomic():
        notice.subject, notice.body = subject.strip()[:200], body.strip()
        notice.approved_at, notice.approved_by = None, None  # approve what is sent
        notice.save()
        audit_record(event=AuditEvent.NOTICE_EDITED, actor=by, object=notice.incident,
                     reason=notice.kind, request=request)


def notice_approve(*, notice: Notice, by: Any, request: Any = None) -> None:
    """Only the owner approves what the store tells customers and the regulator."""
    if role_of(by) != Role.OWNER:
        raise IncidentError("Only the owner approves a notice.")
    with transaction.atomic():
        notice.approved_at, notice.approved_by = timezone.now(), by
        notice.save(update_fields=["approved_at", "approved_by"])
        audit_record(event=AuditEvent.NOTICE_APPROVED, actor=by, object=notice.incident,
                     reason=notice.kind, request=request)
        timeline_write(incident=notice.incident, kind=EntryKind.NOTIFICATION, by=by,
                       text=f"{notice.get_kind_display()} approved by the owner.")


def notices_send(*, incident: Incident, by: Any) -> None:
    """Queue the approved customer notice to everyone in the breach scope."""
    from .jobs import notices_send_task  # jobs imports this module

    if incident.exercise:
        raise IncidentError("This is a tabletop exercise: no customer is mailed.")
    notice = incident.notices.filter(kind=NoticeKind.CUSTOMER).first()
    if notice is None or notice.approved_at is None:
        raise IncidentError("The owner must approve the customer notice first.")
    if not incident.scope.exists():
        raise IncidentError("The breach scope lists nobody to notify.")
    with transaction.atomic():
        timeline_write(incident=incident, kind=EntryKind.NOTIFICATION, by=by,
                       text="Customer notices queued.")
        notices_send_task.defer(incident_id=str(incident.pk))


def notices_send_batch(*, incident_id: str, batch: int = BATCH) -> dict[str, int]:
    """Send the customer notice to up to ``batch`` subjects not yet told; returns the
    counts. Run repeatedly (the task loops) until nothing is left."""
    incident = Incident.objects.get(pk=incident_id)
    notice = incident.notices.get(kind=NoticeKind.CUSTOMER)
    if notice.approved_at is None or incident.exercise:
        return {"sent": 0, "no_account": 0, "left": 0}
    told = Delivery.objects.filter(incident=incident).values_list("subject_id", flat=True)
    # The scope leaves canaries out when recorded; a canary is never mailed all the same.
    scope = incident.scope.exclude(subject_id__in=canary_subject_ids())
    pending = list(scope.exclude(subject_id__in=told)
                   .order_by("subject_id").values_list("subject_id", flat=True)[:batch])
    # An account's address, else (a guest checkout's own subject) its latest order's.
    emails = {u.subject_id: u.email
              for u in get_user_model().objects.filter(subject_id__in=pending) if u.email}
    emails = {**order_emails_by_subject(subject_ids=set(pending) - set(emails)), **emails}
    sent = missing = 0
    for subject_id in pending:
        address = emails.get(subject_id)
        with transaction.atomic():
            # The row first: a concurrent run hits the unique constraint and skips.
            row, created = Delivery.objects.get_or_create(
                incident=incident, subject_id=subject_id,
                defaults={"status": "sending" if address else "no_account"})
            if not created:
                continue
        if not address:  # erased, or no address on record: nobody to tell
            missing += 1
            continue
        send_mail(notice.subject, notice.body, None, [str(address)])
        Delivery.objects.filter(pk=row.pk).update(status="sent", at=timezone.now())
        sent += 1
    left = scope.exclude(
        subject_id__in=Delivery.objects.filter(incident=incident).values("subject_id")).count()
    if sent or missing:
        with transaction.atomic():
            audit_record(event=AuditEvent.NOTICES_SENT, actor=Actor.system("incidents.notices"),
                         object=incident, reason=f"{sent} sent, {missing} without an account")
            timeline_write(incident=incident, kind=EntryKind.NOTIFICATION,
                           text=f"Customer notice sent to {sent} customers"
                                f"{f' ({missing} had no account)' if missing else ''}.")
    return {"sent": sent, "no_account": missing, "left": left}
