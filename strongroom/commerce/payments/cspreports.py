"""Storing CSP violation reports so that nobody can blind the payment-page monitor.

The endpoint is public (browsers post to it without credentials), so an attacker can post
as much junk as they like. Before this module, ~2,000 junk reports filled the table and
every later report — a shopper's browser blocking a skimming script on the checkout
page — was silently dropped. The defences, in order:

* a limit per client address and minute (``STRONGROOM_CSP_REPORT_LIMIT``, counted in the
  shared cache; a process-local count while Redis is down, never unlimited);
* duplicates are folded into one row (count + last seen), so a real problem seen by many
  shoppers is one row however many browsers report it;
* payment pages have their own room (``PAYMENT_ROWS``): junk about any other page can
  never crowd out a report about the checkout;
* a report about a payment page is never dropped silently: if it cannot be stored (room
  full, sender over the limit) an alert is raised; a new one that is stored raises an
  alert too, since a blocked script on a payment page is what skimming looks like;
* the limit being hit, or the general room being full, raises an alert;
* reports not seen for ``STRONGROOM_CSP_REPORT_DAYS`` days are pruned by the scheduled
  job ``payments-csp-prune`` (``payments/jobs.py``).

Alerts carry no client address (personal data), only pages, directives and origins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import timezone

from strongroom.protection.alerts.models import Severity
from strongroom.protection.alerts.services import alert_raise
from strongroom.sharedcache import shared_cache_or

from .integrity import PAYMENT_PAGES
from .models import CspReport

MAX_ROWS = 2000  # reports about every other page
PAYMENT_ROWS = 200  # reports about payment pages: their own room
LIMIT_DEFAULT = 30  # reports per client address per minute
WINDOW = 60
DAYS_DEFAULT = 30
_local: dict[str, int] = {}  # per-process counts while the shared cache is down
_local_lock = threading.Lock()


@dataclass(frozen=True)
class Report:
    document: str  # a path, no query string
    directive: str
    blocked: str  # an origin, or a keyword such as "inline"


def is_payment_page(path: str) -> bool:
    try:
        return resolve(path).view_name in PAYMENT_PAGES
    except Resolver404:
        return False


# --- the limit per client address ---------------------------------------------------------
def _client_key(address: str) -> str:
    """Addresses are personal data: only a hash goes to the cache. IPv6 clients are
    counted per /64, which one subscriber usually holds whole."""
    try:
        ip = ipaddress.ip_address(address)
        net = ipaddress.ip_network(f"{ip}/64", strict=False) if ip.version == 6 else ip
        text = str(net)
    except ValueError:
        text = "unknown"
    return hashlib.sha256(f"csp-report:{text}".encode()).hexdigest()[:24]


def _limit() -> int:
    return int(getattr(settings, "STRONGROOM_CSP_REPORT_LIMIT", LIMIT_DEFAULT))


def report_take(*, address: str, now: float | None = None) -> tuple[bool, bool]:
    """Count one request from ``address``: (allowed, first refusal in this window)."""
    slot = int((time.time() if now is None else now) // WINDOW)
    key = f"payments:csp:{_client_key(address)}:{slot}"

    def shared() -> int:
        cache.add(key, 0, timeout=WINDOW + 5)
        try:
            return int(cache.incr(key))
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=WINDOW + 5)
            return 1

    def local() -> int:
        with _local_lock:
            if len(_local) > 10_000:
                _local.clear()
            _local[key] = _local.get(key, 0) + 1
            return _local[key]

    count = shared_cache_or("the CSP report limit", shared, local)
    limit = _limit()
    return count <= limit, count == limit + 1


# --- storing -------------------------------------------------------------------------------
def csp_reports_record(*, reports: list[Report], address: str) -> str:
    """Fold ``reports`` from one request into the table; returns "stored" or "limited".
    Raises the alerts described above; the caller answers 204 or 429."""
    allowed, first_refusal = report_take(address=address)
    about_payment = [r for r in reports if is_payment_page(r.document)]
    if not allowed:
        if first_refusal:
            alert_raise(kind="payments.csp_report_limit", source="payments",
                        severity=Severity.MEDIUM,
                        summary=f"a client sent more than {_limit()} CSP reports in a "
                                "minute; its further reports are refused for the minute",
                        dedupe_key="payments.csp_report_limit")
        for report in about_payment:
            _dropped(report, why="its sender was over the report limit")
        return "limited"
    for report in reports:
        _store(report, payment=report in about_payment)
    return "stored"


def _store(report: Report, *, payment: bool) -> None:
    key = {"document": report.document, "directive": report.directive,
           "blocked": report.blocked}
    now = timezone.now()
    if CspReport.objects.filter(**key).update(count=F("count") + 1, last_seen=now):
        return
    room = PAYMENT_ROWS if payment else MAX_ROWS
    if CspReport.objects.filter(payment_page=payment).count() >= room:
        if payment:
            _dropped(report, why="the room for payment-page reports is full")
        else:
            alert_raise(kind="payments.csp_reports_full", source="payments",
                        severity=Severity.LOW,
                        summary=f"{MAX_ROWS} different CSP reports are stored: new ones "
                                "about pages other than the payment pages are dropped "
                                "until old ones are pruned", dedupe_key="payments.csp_full")
        return
    try:
        with transaction.atomic():
            CspReport.objects.create(**key, payment_page=payment)
    except IntegrityError:  # a parallel request created it
        CspReport.objects.filter(**key).update(count=F("count") + 1, last_seen=now)
        return
    if payment:
        script = report.directive.startswith("script") and "://" in report.blocked
        alert_raise(kind="payments.csp_violation", source="payments",
                    severity=Severity.HIGH if script else Severity.MEDIUM,
                    summary=f"a browser blocked {report.blocked} ({report.directive}) on "
                            f"the payment page {report.document}",
                    detail={"document": report.document, "directive": report.directive,
                            "blocked": report.blocked},
                    dedupe_key=f"payments.csp_violation:{report.document}:"
                               f"{report.directive}:{report.blocked}"[:200])


def _dropped(report: Report, *, why: str) -> None:
    """One open alert counts every drop (one per dropped report would let the attacker
    flood the alert list instead): its summary names the first, the count says how many."""
    alert_raise(kind="payments.csp_report_dropped", source="payments", severity=Severity.HIGH,
                summary=f"CSP reports about payment pages are not being stored ({why}); "
                        f"first: {report.blocked} ({report.directive}) on {report.document}",
                detail={"document": report.document, "directive": report.directive,
                        "blocked": report.blocked},
                dedupe_key="payments.csp_report_dropped")


# --- pruning -------------------------------------------------------------------------------
def csp_reports_prune(*, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete reports not seen for ``days`` days (default ``STRONGROOM_CSP_REPORT_DAYS``);
    returns how many. Idempotent."""
    days = int(getattr(settings, "STRONGROOM_CSP_REPORT_DAYS", DAYS_DEFAULT)) \
        if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = CspReport.objects.filter(last_seen__lt=cutoff).delete()
    return deleted
