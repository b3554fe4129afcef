"""Download my data: request, build (by the worker), download once.

Threats: a forwarded or leaked link (so the download needs the account signed in with a
fresh password or second factor, the token is single-use and dies after 7 days, and the
token's SHA-256 is all that is stored); another customer guessing ids (the lookup is by
token AND account: someone else's export is a 404); a stolen database (the archive is
encrypted under the customer's own key, and wiped once downloaded).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import secrets
import uuid
from pathlib import Path
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from strongroom.protection.access.selectors import reveals_frozen
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record

from .conf import privacy_settings
from .errors import PrivacyError, PrivacyErrorCode
from .internal.export_data import archive_bytes, subject_data
from .models import DataExport, ExportStatus

TOKEN_SALT = "strongroom.privacy.export-download"  # noqa: S105 - a signing salt


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def export_token(*, export_id: Any) -> str:
    """The download link's token: the export id signed for this one purpose (so the
    page can show the link again), stored only as its SHA-256. Single use and expiry
    are enforced by the export's state, not the token."""
    return signing.Signer(salt=TOKEN_SALT).sign(str(export_id))


def export_request(*, user: Any, request: Any = None,
                   now: dt.datetime | None = None) -> tuple[DataExport, str]:
    """Queue an export of the signed-in customer's own data; returns it and the raw
    download token (shown to them once; only its hash is kept)."""
    from .jobs import export_build_task  # jobs imports this module

    now = now or timezone.now()
    export_id = uuid.uuid4()
    token = export_token(export_id=export_id)
    with transaction.atomic():
        export = DataExport.objects.create(
            id=export_id, user=user, subject_id=user.subject_id, token_hash=token_digest(token),
            created_at=now, expires_at=now + dt.timedelta(days=privacy_settings().export_days))
        audit_record(event=AuditEvent.EXPORT_REQUESTED, actor=user, subject_id=user.subject_id,
                     object=export, request=request)
        export_build_task.defer(export_id=str(export.pk))
    return export, token


def export_build(*, export_id: str) -> str:
    """Build the archive (the worker runs this). Idempotent: a finished, downloaded or
    expired export is left alone. Returns the final status."""
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None:
        return "missing"
    if export.status not in (ExportStatus.PENDING, ExportStatus.BUILDING):
        return export.status
    DataExport.objects.filter(pk=export.pk).update(status=ExportStatus.BUILDING, progress=5)

    def progress(percent: int) -> None:
        DataExport.objects.filter(pk=export.pk).update(progress=max(5, percent))

    try:
        blob = archive_bytes(subject_data(user=export.user, on_progress=progress))
    except Exception:
        DataExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED)
        raise
    with transaction.atomic():
        export = DataExport.objects.select_for_update().get(pk=export.pk)
        if export.status != ExportStatus.BUILDING:
            return export.status
        export.archive = base64.b64encode(blob).decode("ascii")
        export.size, export.progress = len(blob), 100
        export.status, export.ready_at = ExportStatus.READY, timezone.now()
        export.save(update_fields=["archive", "size", "progress", "status", "ready_at"])
        audit_record(event=AuditEvent.EXPORT_CREATED, actor=Actor.system("privacy.export"),
                     subject_id=export.subject_id, object=export)
    return export.status


def export_download(*, user: Any, token: str, request: Any = None,
                    now: dt.datetime | None = None) -> tuple[DataExport, bytes]:
    """The archive, once. The caller checked the fresh sign-in. Another account's token
    or a token that never existed: NOT_FOUND (a 404). Used, expired or not ready:
    BAD_TOKEN, audited as EXPORT_REFUSED."""
    now = now or timezone.now()
    try:
        signing.Signer(salt=TOKEN_SALT).unsign(token or "")
    except signing.BadSignature:
        raise PrivacyError("This download link is not valid.",
                           code=PrivacyErrorCode.BAD_TOKEN) from None
    with transaction.atomic():
        export = (DataExport.objects.select_for_update()
                  .filter(token_hash=token_digest(token or ""), user=user).first())
        if export is None:
            raise PrivacyError("No such download.", code=PrivacyErrorCode.NOT_FOUND)
        refused = export.status != ExportStatus.READY or export.expires_at <= now
        if refused:
            if export.status == ExportStatus.READY:  # expired before anyone came
                export.archive, export.status = None, ExportStatus.EXPIRED
                export.save(update_fields=["archive", "status"])
            audit_record(event=AuditEvent.EXPORT_REFUSED, actor=user,
                         subject_id=user.subject_id, object=export, reason=export.status,
                         request=request)
        else:
            blob = base64.b64decode(str(export.archive))
            export.archive, export.status = None, ExportStatus.DOWNLOADED
            export.downloaded_at = now
            export.save(update_fields=["archive", "status", "downloaded_at"])
            audit_record(event=AuditEvent.EXPORT_DOWNLOADED, actor=user,
                         subject_id=user.subject_id, object=export, request=request)
    if refused:  # raised after the commit: the refusal and the wipe are kept
        raise PrivacyError("This download link has been used or has expired: ask for a "
                           "new export.", code=PrivacyErrorCode.BAD_TOKEN)
    return export, blob


def export_to_file(*, user: Any, out: Path, request_ref: str) -> int:
    """For a request that arrived outside the store (``strongroom privacy export``): the
    same archive, written to ``out`` (0600, never half-written). Audited as an export by
    the system with the request's reference. Returns the size. Refused while incident
    containment has frozen reveals and exports store-wide."""
    if reveals_frozen():
        raise PrivacyError("Exports are frozen store-wide while an incident is contained: "
                           "ask the owner or security officer to lift the freeze.",
                           code=PrivacyErrorCode.NOT_ALLOWED)
    blob = archive_bytes(subject_data(user=user))
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        with transaction.atomic():
            audit_record(event=AuditEvent.EXPORT_CREATED, actor=Actor.system("privacy.cli"),
                         subject_id=user.subject_id, object=("accounts.user", user.pk),
                         reason=request_ref)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return len(blob)


def exports_expire(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Wipe archives nobody downloaded in time (the retention sweep calls it)."""
    now = now or timezone.now()
    stale = DataExport.objects.filter(
        status__in=[ExportStatus.READY, ExportStatus.PENDING, ExportStatus.BUILDING,
                    ExportStatus.FAILED], expires_at__lte=now)
    if dry_run:
        return stale.count()
    return stale.update(archive=None, status=ExportStatus.EXPIRED)
