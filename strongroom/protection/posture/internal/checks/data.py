"""Keys and encryption at rest, the audit log, and card data."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.apps import apps
from django.conf import settings
from django.db import connection

from strongroom.commerce.payments.checks import check_gateway
from strongroom.commerce.payments.integrity import SCRIPT_INVENTORY, file_sha384
from strongroom.commerce.payments.selectors import alerts_open
from strongroom.protection.audit.internal.triggers import triggers_missing
from strongroom.protection.audit.models import AuditCheckpoint
from strongroom.protection.audit.selectors import audit_verify
from strongroom.protection.vault.checks import check_keys, check_personal_fields
from strongroom.protection.vault.selectors import key_status

from .registry import Context, Outcome, bad, check, na, ok, warn

CARD_FIELD = re.compile(r"(^|_)(pan|card_?number|cvv|cvc|cvv2|track_?data)($|_)", re.I)


def _messages(func) -> list:
    return [m for m in func() if m.level >= 30]  # checks.WARNING and up


@check("keys.protected", title="Key files readable by the store only", practice="encryption",
       pci="3.6.1.2", asvs="13.3.2", weight=3, critical=True)
def keys_protected(ctx: Context) -> Outcome:
    problems = _messages(check_keys)
    if problems:
        return bad(f"{problems[0].id}: {problems[0].msg}")
    return ok("key-encryption key present, files 0600 in a 0700 directory (or from "
              "STRONGROOM_KEK)")


@check("keys.present", title="Every key version in use is available", practice="encryption",
       pci="3.6.1", asvs="11.1.1", weight=3, critical=True)
def keys_present(ctx: Context) -> Outcome:
    status = ctx.once("keys", _key_status)
    if status.missing_versions:
        return bad(f"key-encryption key version(s) {status.missing_versions} are used by data "
                   "but missing: that data cannot be read")
    return ok(f"{len(status.kek_versions)} key-encryption key version(s), none missing")


def _key_status():
    return key_status()


@check("keys.rotation_finished", title="No key rotation left half-done",
       practice="encryption", pci="3.7.5", asvs="11.1.2", weight=2)
def keys_rotation_finished(ctx: Context) -> Outcome:
    status = ctx.once("keys", _key_status)
    old = [k.version for k in status.kek_versions
           if not k.primary and (k.data_keys or k.index_keys)]
    old_index = [i.version for i in status.index_versions if not i.primary and i.rows]
    problems = []
    if old:
        problems.append(f"data keys still wrapped by old version(s) {old}: run "
                        "`strongroom keys rotate`")
    if status.data_keys_retiring:
        problems.append(f"{status.data_keys_retiring} data keys being retired")
    if old_index:
        problems.append(f"rows still indexed with old index key(s) {old_index}: run "
                        "`strongroom keys reindex`")
    return warn("; ".join(problems)) if problems else ok("every key on its primary version")


@check("keys.age", title="Key-encryption key younger than a year", practice="encryption",
       pci="3.7.4", asvs="11.1.3", weight=2)
def keys_age(ctx: Context) -> Outcome:
    status = ctx.once("keys", _key_status)
    if status.source == "env":
        return na("the key-encryption key comes from STRONGROOM_KEK: its age is known only "
                  "where it is kept; rotate it yearly")
    primary = next((k.version for k in status.kek_versions if k.primary), None)
    if primary is None:
        return bad("no primary key-encryption key")
    # The vault keeps one file per key version; its modification time is its birth.
    from strongroom.protection.vault.kekfiles import kek_path

    path = kek_path(settings.STRONGROOM_DATA_DIR, primary)
    born = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
    days = (ctx.now - born).days
    if days > 365:
        return bad(f"version {primary} is {days} days old: run `strongroom keys rotate`")
    return ok(f"version {primary}, {days} days old (rotate within a year)")


@check("encryption.schema", title="Every personal field is an encrypted field",
       practice="encryption", pci="3.5.1", asvs="11.3.2", weight=3, critical=True)
def encryption_schema(ctx: Context) -> Outcome:
    problems = _messages(check_personal_fields)
    if problems:
        return bad(f"{len(problems)}: {problems[0].msg}")
    return ok("all declared personal fields use the vault's encrypted fields")


@check("encryption.at_rest", title="Stored personal data is ciphertext",
       practice="encryption", pci="3.5.1", asvs="14.2.4", weight=3, critical=True)
def encryption_at_rest(ctx: Context) -> Outcome:
    """Reads the raw column, as a stolen dump would, for a sample of accounts."""
    user = apps.get_model(settings.AUTH_USER_MODEL)
    table = connection.ops.quote_name(user._meta.db_table)
    column = connection.ops.quote_name(user._meta.get_field("email").column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} LIMIT 200")  # noqa: S608 - our names
        values = [row[0] for row in cursor.fetchall()]
    if not values:
        return na("no account stored yet")
    plain = [v for v in values if _readable_email(v)]
    if plain:
        return bad(f"{len(plain)} of {len(values)} sampled emails are stored in plaintext")
    return ok(f"{len(values)} sampled account emails are ciphertext in the database")


def _readable_email(value: object) -> bool:
    """Printable text with an @: what a dump of a plaintext column shows. A ciphertext
    (version header, nonce, random-looking bytes) is never all printable ASCII."""
    if isinstance(value, memoryview):
        value = value.tobytes()
    raw = value if isinstance(value, bytes) else str(value).encode()
    return b"@" in raw and all(32 <= b < 127 for b in raw)


@check("audit.verified", title="Audit log verifies (no edit, deletion, insertion)",
       practice="audits", pci="10.3.2", asvs="16.4.2", weight=3, critical=True)
def audit_verified(ctx: Context) -> Outcome:
    report = audit_verify()
    if not report.ok:
        first = report.problems[0]
        return bad(f"TAMPERED ({first.kind}): {first.message}")
    return ok(f"{report.events} events in {report.chains} chains, {report.checkpoints} "
              "signed checkpoints")


@check("audit.checkpoint", title="Audit log checkpoint signed in the last 26 hours",
       practice="audits", pci="10.3.4", asvs="16.4.3", weight=2)
def audit_checkpoint(ctx: Context) -> Outcome:
    last = AuditCheckpoint.objects.order_by("-number").first()
    if last is None:
        return bad("no signed checkpoint: schedule `strongroom audit checkpoint`")
    at = dt.datetime.fromtimestamp(json.loads(last.payload)["at_us"] / 1e6, tz=dt.UTC)
    if at < ctx.now - dt.timedelta(hours=26):
        return bad(f"last checkpoint {at:%Y-%m-%d %H:%M}")
    return ok(f"last checkpoint {at:%Y-%m-%d %H:%M}")


@check("audit.append_only", title="Database refuses edits of the audit log",
       practice="audits", pci="10.3.2", asvs="16.4.2", weight=3, critical=True)
def audit_append_only(ctx: Context) -> Outcome:
    missing = triggers_missing(connection)
    if missing:
        return bad(f"missing triggers: {', '.join(missing)}: run `strongroom audit triggers`")
    return ok("UPDATE and DELETE refused by triggers")


@check("payments.no_card_data", title="No field can hold a card number or CVC",
       practice="payments", pci="3.3.1", asvs="14.2.6", weight=3, critical=True)
def payments_no_card_data(ctx: Context) -> Outcome:
    found = [f"{m._meta.label}.{f.name}" for m in apps.get_models()
             for f in m._meta.concrete_fields if CARD_FIELD.search(f.name)]
    if found:
        return bad(f"fields that look like card data: {', '.join(found)}")
    return ok("only reference, brand, last 4 and expiry are stored (SAQ A design)")


@check("payments.live_gateway", title="Real payment gateway with live keys",
       practice="payments", pci="6.5.6", asvs="13.4.1", weight=1)
def payments_live_gateway(ctx: Context) -> Outcome:
    problems = check_gateway()
    if problems:
        return warn(f"{problems[0].id}: {problems[0].msg}")
    return ok(f"gateway {settings.STRONGROOM_PAYMENTS.gateway}")


@check("payments.scripts", title="Payment-page scripts match their inventory (SRI)",
       practice="payments", pci="6.4.3", asvs="3.6.1", weight=2)
def payments_scripts(ctx: Context) -> Outcome:
    changed = [s.path for s in SCRIPT_INVENTORY.values() if file_sha384(s.path) != s.sha384]
    if changed:
        return bad(f"changed since inventoried: {', '.join(changed)}")
    return ok(f"{len(SCRIPT_INVENTORY)} script(s), each hash as inventoried")


@check("payments.page_alerts", title="No unresolved payment-page change",
       practice="payments", pci="11.6.1", asvs="3.6.1", weight=2)
def payments_page_alerts(ctx: Context) -> Outcome:
    count = alerts_open().count()
    if count:
        return bad(f"{count} open payment alert(s): see Payments security in the console")
    return ok("none open")
