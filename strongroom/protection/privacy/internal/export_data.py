"""Everything the store holds about one customer, as plain data (Art. 15 and 20).

Each section reads one app's data through that app's selectors or the account's related
managers, and only ever rows of THIS account (filtered by the user, or by the user's
vault subject for the audit log): a test plants another customer's canary data and
checks none of it is in the archive. Payments: brand, last 4 and expiry only (all the
store has). Progress is reported per section.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from strongroom.commerce.customers.selectors import address_list_for_user
from strongroom.commerce.orders.selectors import order_list_for_user
from strongroom.protection.access.history import history_rows
from strongroom.protection.access.selectors import marketing_consent_of
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.selectors import audit_access_to_subject, audit_search
from strongroom.protection.vault.selectors import keys_preload

from ..models import ConsentRecord, PrivacyRequest

Progress = Callable[[int], None]


def _when(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def _account(user: Any) -> dict[str, Any]:
    return {"email": str(user.email), "name": str(user.full_name or ""),
            "joined": _when(user.date_joined), "last_sign_in": _when(user.last_login),
            "email_verified": _when(user.email_verified_at), "active": user.is_active}


def _addresses(user: Any) -> list[dict[str, Any]]:
    return [{"name": str(a.full_name), "line1": str(a.line1), "line2": str(a.line2 or ""),
             "city": str(a.city), "postal_code": str(a.postal_code), "country": str(a.country),
             "phone": str(a.phone or ""), "default": a.is_default, "saved": _when(a.created_at)}
            for a in address_list_for_user(user=user)]


def _orders(user: Any) -> list[dict[str, Any]]:
    orders = order_list_for_user(user=user).prefetch_related("lines", "payments")
    out = []
    for o in orders:
        out.append({
            "reference": o.reference, "status": o.status, "placed": _when(o.created_at),
            "contact": {"email": str(o.email), "name": str(o.full_name),
                        "phone": str(o.phone or "")},
            "delivery_address": {"line1": str(o.line1), "line2": str(o.line2 or ""),
                                 "city": str(o.city), "postal_code": str(o.postal_code),
                                 "country": o.country},
            "shipping_method": o.shipping_method, "currency": o.currency,
            "subtotal": str(o.subtotal), "shipping": str(o.shipping_total),
            "total": str(o.total),
            "lines": [{"product": line.product_name, "sku": line.sku,
                       "unit_price": str(line.unit_price), "quantity": line.quantity,
                       "total": str(line.line_total)} for line in o.lines.all()],
            "payments": [{"status": p.status, "amount": str(p.amount),
                          "refunded": str(p.amount_refunded), "card_brand": p.card_brand,
                          "card_last4": p.card_last4,
                          "card_expiry": (f"{p.card_exp_month:02d}/{p.card_exp_year}"
                                          if p.card_exp_month and p.card_exp_year else ""),
                          "paid": _when(p.paid_at)} for p in o.payments.all()],
        })
    return out


def _consents(user: Any) -> dict[str, Any]:
    current = marketing_consent_of(user=user)
    return {
        "marketing_email": bool(current and current.agreed),
        "history": [{"purpose": c.purpose, "agreed": c.agreed, "wording": c.wording,
                     "policy_version": c.policy_version.number if c.policy_version else None,
                     "how": c.get_method_display(), "when": _when(c.at)}
                    for c in ConsentRecord.objects.filter(subject_id=user.subject_id)
                    .select_related("policy_version")],
    }


def _sessions(user: Any) -> dict[str, Any]:
    return {
        "sessions": [{"browser": s.browser, "started": _when(s.created_at),
                      "last_seen": _when(s.last_seen_at)} for s in user.sessions.all()],
        "known_devices": [{"first_seen": _when(d.first_seen_at)}
                          for d in user.known_devices.all()],
        "passkeys": [{"name": c.name, "added": _when(c.created_at),
                      "last_used": _when(c.last_used_at)}
                     for c in user.webauthn_credentials.all()],
        "authenticator_app": user.totp_devices.filter(confirmed_at__isnull=False).exists(),
        "api_tokens": [{"name": t.name, "created": _when(t.created_at),
                        "last_used": _when(t.last_used_at)} for t in user.api_tokens.all()],
    }


def _security_events(user: Any) -> list[dict[str, Any]]:
    rows = audit_search(actor_id=user.pk).filter(event__range=(1000, 1999))[:1000]
    out = []
    for e in rows:
        try:
            what = AuditEvent(e.event).label
        except ValueError:
            what = f"event {e.event}"
        out.append({"when": _when(e.occurred_at), "what": what})
    return out


def _staff_access(user: Any) -> list[dict[str, Any]]:
    return [{"when": _when(r.at), "who": r.who, "what": r.what, "fields": r.fields,
             "why": r.reason}
            for r in history_rows(audit_access_to_subject(subject_id=user.subject_id)[:1000],
                                  names=False)]


def _requests(user: Any) -> list[dict[str, Any]]:
    return [{"reference": r.reference, "kind": r.kind, "received": _when(r.received_at),
             "status": r.status} for r in PrivacyRequest.objects.filter(user=user)]


SECTIONS: list[tuple[str, Callable[[Any], Any]]] = [
    ("account", _account), ("addresses", _addresses), ("orders", _orders),
    ("consents", _consents), ("sessions_and_devices", _sessions),
    ("security_events", _security_events), ("staff_access", _staff_access),
    ("privacy_requests", _requests),
]


def subject_data(*, user: Any, on_progress: Progress | None = None) -> dict[str, Any]:
    keys_preload(subject_ids=[user.subject_id])
    data: dict[str, Any] = {"store": settings.STRONGROOM_STORE_NAME,
                            "generated_at": _when(dt.datetime.now(dt.UTC))}
    for i, (name, section) in enumerate(SECTIONS, start=1):
        data[name] = section(user)
        if on_progress is not None:
            on_progress(int(90 * i / len(SECTIONS)))
    return data


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def archive_bytes(data: dict[str, Any]) -> bytes:
    """A zip holding ``data.json`` (machine-readable) and ``index.html`` (to read)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False,
                                                 default=_json_default))
        archive.writestr("index.html", render_to_string("privacy/export.html", {"data": data}))
    return buffer.getvalue()
