"""Erasure (GDPR Art. 17): crypto-shred the person's key, keep the accounting record.

``customer_erase`` is the one path every route takes (the customer's own page, a staff
member working a verified request, ``strongroom privacy erase``, the retention sweep).
In one transaction: the rows that only served the person are deleted, their vault
subject is shredded (every encrypted field of theirs, in the account, addresses, orders
and the audit log's client addresses, becomes unreadable; blind indexes are cleared; the
account is deactivated and every session and token revoked), an erasure ledger entry
and a signed receipt are written, and SUBJECT_ERASED is audited. After commit the ledger
file is appended and the receipt is mailed to the address captured beforehand (the only
moment the store can still read it). Orders keep reference, dates, amounts, tax and lines.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.vault import signing
from strongroom.protection.vault.selectors import subject_is_erased
from strongroom.protection.vault.services import subject_shred

from .conf import privacy_settings
from .errors import PrivacyError, PrivacyErrorCode
from .internal.ledger import ledger_file_sync
from .models import (
    DataExport,
    ErasureLedgerEntry,
    ErasureReceipt,
    PrivacyRequest,
    RequestKind,
    RequestStatus,
    Verification,
)

ERASED = [
    "your name, email address and password",
    "your saved addresses and phone numbers",
    "the contact details and delivery address of each of your orders",
    "your sign-in methods (authenticator app, passkeys, recovery codes), sessions and devices",
    "your marketing consent (withdrawn) and any data export waiting to be downloaded",
    "the network addresses (IP) recorded in our security log when you used the store",
]


def new_reference(prefix: str = "PR") -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return prefix + "-" + "".join(secrets.choice(alphabet) for _ in range(8))


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _receipt_document(*, user: Any, request_ref: str, erased_at: dt.datetime,
                      receipt_id: str) -> dict[str, Any]:
    s = privacy_settings()
    orders = list(user.orders.values_list("created_at", flat=True))
    kept = []
    if orders:
        until = max(orders) + dt.timedelta(days=365 * s.order_years)
        kept.append({"what": f"{len(orders)} order(s): reference, dates, amounts, tax and the "
                             "items bought, with every personal detail unreadable",
                     "why": "the legal obligation to keep accounting records "
                            "(GDPR Art. 17(3)(b))",
                     "until": until.date().isoformat()})
    kept.append({"what": "security log entries about your account, without your details",
                 "why": "PCI DSS 10.5.1 and our legitimate interest in a tamper-evident log",
                 "until": (erased_at + dt.timedelta(days=400)).date().isoformat()})
    kept.append({"what": "this receipt and an erasure ledger entry holding only a random id",
                 "why": "so that this erasure is repeated if a backup is ever restored",
                 "until": "permanently"})
    return {"receipt_id": receipt_id, "request_id": request_ref,
            "store": settings.STRONGROOM_STORE_NAME, "subject_id": str(user.subject_id),
            "erased_at": erased_at.astimezone(dt.UTC).isoformat(), "erased": ERASED,
            "kept": kept}


def receipt_sign(document: dict[str, Any]) -> tuple[str, str]:
    data_dir = settings.STRONGROOM_DATA_DIR
    signing.signing_key_ensure(data_dir=data_dir)
    key = signing.signing_key_load(data_dir=data_dir)
    return base64.b64encode(key.sign(_canonical(document))).decode("ascii"), key.key_id


def receipt_valid(*, receipt: ErasureReceipt) -> bool:
    """Does the receipt's signature check out under the store's public key?"""
    public = signing.public_key_load(data_dir=settings.STRONGROOM_DATA_DIR)
    try:
        raw = base64.b64decode(receipt.signature, validate=True)
    except ValueError:
        return False
    return signing.signature_valid(public_b64=public, message=_canonical(receipt.document),
                                   signature=raw)


def customer_erase(*, user: Any, request_ref: str, by: Any = None,
                   now: dt.datetime | None = None, notify: bool = True) -> ErasureReceipt:
    """Erase ``user`` (see the module docstring). ``by``: the staff member working the
    request, or None for the customer themselves / Actor for the system. The caller has
    checked who may ask: the customer with a fresh sign-in, staff with ``privacy.erase``
    on a verified request, an operator at the command line."""
    if subject_is_erased(subject_id=user.subject_id):
        raise PrivacyError("This customer has already been erased.",
                           code=PrivacyErrorCode.ALREADY_ERASED)
    now = now or timezone.now()
    address = str(user.email or "")
    actor = by if isinstance(by, Actor) else (Actor.of_user(by) if by is not None
                                              else Actor.of_user(user))
    receipt_id = uuid.uuid4()
    document = _receipt_document(user=user, request_ref=request_ref, erased_at=now,
                                 receipt_id=str(receipt_id))
    signature, key_id = receipt_sign(document)
    with transaction.atomic():
        from .services import consent_set  # a cycle: services re-exports this module

        consent_set(user=user, purpose="marketing_email", agreed=False, method="erasure")
        user.addresses.all().delete()
        user.carts.all().delete()
        for related in ("totp_devices", "webauthn_credentials", "recovery_codes",
                        "known_devices"):
            getattr(user, related).all().delete()
        DataExport.objects.filter(user=user).update(archive=None, status="expired")
        subject_shred(subject_id=user.subject_id)
        ErasureLedgerEntry.objects.create(subject_id=user.subject_id, erased_at=now,
                                          request_id=request_ref)
        receipt = ErasureReceipt.objects.create(
            id=receipt_id, request_id=request_ref, subject_id=user.subject_id, erased_at=now,
            document=document, signature=signature, key_id=key_id)
        PrivacyRequest.objects.filter(reference=request_ref).update(
            status=RequestStatus.DONE, closed_at=now, outcome=f"erased; receipt {receipt_id}")
        audit_record(event=AuditEvent.SUBJECT_ERASED, actor=actor, subject_id=user.subject_id,
                     object=("accounts.user", user.pk), reason=request_ref)
        transaction.on_commit(_after_commit)
        if notify and "@" in address:
            transaction.on_commit(lambda: _receipt_mail(address, receipt))
    return receipt


def _after_commit() -> None:
    ledger_file_sync()
    if connection.vendor == "sqlite":
        # secure_delete (vault) zeroes the freed pages; a TRUNCATE checkpoint moves them
        # into the database file and empties the WAL, so the deleted wrapped key is not
        # left behind in either file.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _receipt_mail(address: str, receipt: ErasureReceipt) -> None:
    body = (f"We have erased your account at {settings.STRONGROOM_STORE_NAME}.\n\n"
            "Erased:\n" + "".join(f"- {line}\n" for line in receipt.document["erased"])
            + "\nKept:\n" + "".join(f"- {k['what']}: {k['why']} (until {k['until']})\n"
                                     for k in receipt.document["kept"])
            + f"\nReceipt {receipt.id}, request {receipt.request_id}.\n"
            f"Signed receipt (Ed25519, key {receipt.key_id}):\n"
            + json.dumps(receipt.document, sort_keys=True, separators=(",", ":"))
            + f"\nsignature: {receipt.signature}\n")
    EmailMessage(subject=f"{settings.STRONGROOM_STORE_NAME}: your account has been erased",
                 body=body, to=[address]).send(fail_silently=True)


def erasure_request(*, user: Any, now: dt.datetime | None = None
                    ) -> ErasureReceipt | PrivacyRequest:
    """The customer asked to delete their account (the view checked a fresh sign-in and
    the confirmation). With no grace period (the default) it happens now; otherwise a
    scheduled request is recorded and the ``privacy-erasures-due`` job erases it later."""
    now = now or timezone.now()
    grace = privacy_settings().erasure_grace_days
    if subject_is_erased(subject_id=user.subject_id):
        raise PrivacyError("This account has already been erased.",
                           code=PrivacyErrorCode.ALREADY_ERASED)
    with transaction.atomic():
        request = PrivacyRequest.objects.create(
            reference=new_reference(), kind=RequestKind.ERASURE, channel="storefront",
            user=user, subject_id=user.subject_id, received_at=now,
            due_at=now + dt.timedelta(days=30), verification=Verification.VERIFIED,
            status=RequestStatus.SCHEDULED if grace else RequestStatus.OPEN,
            erase_after=now + dt.timedelta(days=grace))
        audit_record(event=AuditEvent.ERASURE_REQUESTED, actor=user,
                     subject_id=user.subject_id, object=request, reason=request.reference)
        if grace:
            audit_record(event=AuditEvent.ERASURE_SCHEDULED, actor=user,
                         subject_id=user.subject_id, object=request,
                         reason=f"grace period {grace} days")
            return request
        return customer_erase(user=user, request_ref=request.reference, now=now)


def erasures_due(*, now: dt.datetime | None = None) -> int:
    """Carry out scheduled erasures whose grace period is over (a job)."""
    now = now or timezone.now()
    done = 0
    for request in PrivacyRequest.objects.filter(status=RequestStatus.SCHEDULED,
                                                 erase_after__lte=now).select_related("user"):
        if request.user is None or subject_is_erased(subject_id=request.user.subject_id):
            PrivacyRequest.objects.filter(pk=request.pk).update(
                status=RequestStatus.DONE, closed_at=now, outcome="already erased")
            continue
        customer_erase(user=request.user, request_ref=request.reference,
                       by=Actor.system("privacy.erasures-due"), now=now)
        done += 1
    return done

