"""Containment that rolls a payment gateway's webhook signing secret (a leaked one lets
anyone forge "paid" webhooks). Same contract as ``rekey``: the caller (the console view)
has checked ``incidents.manage`` and a recent second factor; each action writes its
CONTAINMENT_* audit event and a timeline line in one transaction, the file changes at
commit, and in a tabletop exercise the action is recorded without being executed.

The new secret is returned once, for the page to show; it is never in an audit event, a
timeline line or a log line. The old one is accepted until the grace ends (24 hours by
default) or the owner ends it, so no payment webhook is lost meanwhile.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction

from strongroom.commerce.payments.webhook_secrets import (
    GATEWAYS,
    GRACE,
    StagedSecret,
    WebhookSecretNotRotatable,
    WebhookSecretState,
    webhook_secret_grace_end,
    webhook_secret_stage,
    webhook_secret_states,
)
from strongroom.protection.audit.events import AuditEvent

from .containment import _done, _rehearsed
from .errors import IncidentError
from .models import Incident

WEBHOOK_GATEWAYS = GATEWAYS


def webhook_secrets_status() -> list[WebhookSecretState]:
    """The configured gateways and whether an old secret is still accepted (no secret)."""
    return webhook_secret_states()


def _commit(staged: StagedSecret, record) -> None:
    try:
        with transaction.atomic():
            record()
            transaction.on_commit(staged.install)
    except BaseException:
        staged.discard()
        raise


def contain_webhook_secret_rotate(*, incident: Incident, by: Any, gateway: str,
                                  request: Any = None, grace: timedelta = GRACE,
                                  now: float | None = None) -> str:
    """Roll ``gateway``'s webhook secret; returns the new one (to show once), or "" in an
    exercise. Raises IncidentError when the secret is not the store's to roll (set by an
    environment variable, Stripe's, not configured): the message says what to do."""
    if _rehearsed(incident=incident, by=by, request=request,
                  what=f"roll the {gateway} webhook secret"):
        return ""
    try:
        staged = webhook_secret_stage(gateway=gateway, grace=grace, now=now)
    except WebhookSecretNotRotatable as exc:
        raise IncidentError(str(exc)) from None
    until = datetime.fromtimestamp(staged.previous_until, UTC).strftime("%Y-%m-%d %H:%M")
    _commit(staged, lambda: _done(
        incident=incident, by=by, request=request,
        event=AuditEvent.CONTAINMENT_WEBHOOK_SECRET_ROTATED,
        text=f"Rolled the {gateway} webhook secret: the old one is accepted until {until} "
             "UTC (or until the gateway is said to use the new one), then refused."))
    return staged.secret


def contain_webhook_grace_end(*, incident: Incident, by: Any, gateway: str,
                              request: Any = None, now: float | None = None) -> None:
    """The gateway signs with the new secret: refuse the old one from now on."""
    if _rehearsed(incident=incident, by=by, request=request,
                  what=f"refuse the old {gateway} webhook secret"):
        return
    try:
        staged = webhook_secret_grace_end(gateway=gateway, now=now)
    except WebhookSecretNotRotatable as exc:
        raise IncidentError(str(exc)) from None
    _commit(staged, lambda: _done(
        incident=incident, by=by, request=request,
        event=AuditEvent.CONTAINMENT_WEBHOOK_GRACE_ENDED,
        text=f"The {gateway} gateway uses the new webhook secret: the old one is refused "
             "from now on."))
