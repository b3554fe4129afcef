"""Posture writes: vulnerability scans, SBOM generation, self-audit runs and the risk
register. Each writes its audit event in the same transaction; alerts for what a
person must act on (high/critical findings, a scan without data, risks due) go out
through ``alerts.services.alert_raise``. Callers (commands, jobs, console views)
checked who may do this; the services assume it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
import requests
from django.db import transaction
from django.utils import timezone

from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record

from . import conf
from .errors import AdvisoryFormatError, NoAdvisoryData, PostureError
from .internal.checks.registry import CHECKS, CheckResult, Context, check_run, checks_load
from .internal.cvss import at_least
from .internal.eos import SupportStatus, support_statuses
from .internal.inventory import Inventory, inventory_take
from .internal.matching import Match, matches_find, scanned_packages
from .internal.sbom import sbom_build, sbom_json
from .internal.scoring import Score, score_compute
from .internal.seed import THREATS
from .internal.sources import advisories_from_api, advisories_from_export
from .models import AuditRun, Finding, Risk, ScanRun

SYSTEM = Actor.system("posture")


@dataclass
class ScanReport:
    run: ScanRun
    matches: list[Match]
    support: list[SupportStatus]
    inventory: Inventory


def sbom_generate(*, actor: Any = None) -> str:
    """The CycloneDX 1.6 JSON of the store as installed and running."""
    inventory = inventory_take()
    document = sbom_json(bom=sbom_build(inventory=inventory))
    with transaction.atomic():
        audit_record(event=AuditEvent.SBOM_GENERATED, actor=actor or SYSTEM,
                     reason=f"{len(inventory.packages)} distributions")
    return document


def _support(inventory: Inventory, today: dt.date) -> list[SupportStatus]:
    return support_statuses(python=inventory.platform["python"], django=django.get_version(),
                            today=today)


def vulnerability_scan_run(*, source: str | None = None, actor: Any = None,
                           now: dt.datetime | None = None,
                           session: requests.Session | None = None) -> ScanReport:
    """Scan the inventory against OSV advisories from ``source`` (a URL: the OSV API;
    else a local export). Without any advisory data the failed run is recorded, an
    alert raised and ``NoAdvisoryData`` re-raised: never "0 vulnerabilities"."""
    source = source or conf.osv_source()
    now = now or timezone.now()
    actor = actor or SYSTEM
    inventory = inventory_take()
    packages = scanned_packages(inventory)
    support = _support(inventory, now.date())
    try:
        if conf.is_url(source):
            advisories = advisories_from_api(base_url=source, packages=packages,
                                             session=session)
        else:
            advisories = advisories_from_export(path=Path(source),
                                                wanted={key for key, _ in packages})
    except (NoAdvisoryData, AdvisoryFormatError) as exc:
        with transaction.atomic():
            run = ScanRun.objects.create(started_at=now, finished_at=timezone.now(),
                                         source=source[:500], ok=False,
                                         error=exc.message[:500], packages=len(packages))
            audit_record(event=AuditEvent.VULNERABILITY_SCAN_FAILED, actor=actor,
                         object=run, reason=exc.message[:500])
        alert_raise(kind="posture.scan_failed", source="posture", severity="medium",
                    summary="The vulnerability scan could not read any advisory data",
                    detail={"source": source[:200], "error": exc.message[:200]},
                    dedupe_key="posture.scan_failed")
        raise
    matches = matches_find(inventory=inventory, advisories=advisories)
    with transaction.atomic():
        run = ScanRun.objects.create(
            started_at=now, finished_at=timezone.now(), source=source[:500], ok=True,
            advisories=advisories.documents or advisories.queried, packages=len(packages),
            findings=len(matches),
            support=[{"product": s.product, "version": s.version, "level": s.level,
                      "message": s.message} for s in support])
        seen = [_finding_upsert(m, now) for m in matches]
        Finding.objects.filter(resolved_at=None).exclude(pk__in=seen).update(resolved_at=now)
        audit_record(event=AuditEvent.VULNERABILITY_SCAN_RUN, actor=actor, object=run,
                     reason=f"{len(matches)} findings, {run.advisories} advisories")
    _alerts_raise(matches, support)
    return ScanReport(run, matches, support, inventory)


def _finding_upsert(m: Match, now: dt.datetime) -> int:
    values = {"aliases": list(m.advisory.aliases), "summary": m.advisory.summary,
              "severity": m.advisory.severity, "score": m.advisory.score, "fixed": m.fixed,
              "upgrade": m.upgrade[:300], "last_seen": now, "resolved_at": None}
    finding, _ = Finding.objects.update_or_create(
        ecosystem=m.ecosystem, package=m.package, version=m.version,
        advisory_id=m.advisory.id, defaults=values, create_defaults={**values,
                                                                    "first_seen": now})
    return finding.pk


def _alerts_raise(matches: list[Match], support: list[SupportStatus]) -> None:
    for m in matches:
        if at_least(m.advisory.severity, "high"):
            cve = next((a for a in m.advisory.aliases if a.startswith("CVE-")), "")
            alert_raise(
                kind="posture.vulnerability", source="posture", severity=m.advisory.severity,
                summary=f"{m.package} {m.version}: {m.advisory.id} {cve} "
                        f"({m.advisory.severity})".replace("  ", " "),
                detail={"package": m.package, "version": m.version, "advisory": m.advisory.id,
                        "aliases": list(m.advisory.aliases)[:10], "fixed": m.fixed,
                        "upgrade": m.upgrade},
                dedupe_key=f"posture.vulnerability:{m.ecosystem}:{m.package}:{m.version}:"
                           f"{m.advisory.id}")
    for s in support:
        if s.level in ("warning", "ended"):
            alert_raise(kind="posture.end_of_support", source="posture",
                        severity="high" if s.level == "ended" else "medium",
                        summary=s.message, detail={"product": s.product, "version": s.version},
                        dedupe_key=f"posture.end_of_support:{s.product}:{s.version}")


@dataclass
class AuditReport:
    results: list[CheckResult]
    score: Score
    at: dt.datetime
    run_id: int | None = None
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def self_audit_run(*, url: str | None = None, actor: Any = None,
                   now: dt.datetime | None = None, keep: bool = True) -> AuditReport:
    """Run every check against the live store, score it, keep the run (``keep``)."""
    now = now or timezone.now()
    ctx = Context(now=now, url=(conf.audit_url() if url is None else url.rstrip("/")))
    results = [check_run(d, ctx) for d in checks_load().values()]
    score = score_compute(results)
    report = AuditReport(results, score, now, url=ctx.url)
    if keep:
        with transaction.atomic():
            run = AuditRun.objects.create(
                at=now, score=score.score, critical_failed=bool(score.critical_failed),
                counts=score.counts, report=report_dict(report))
            audit_record(event=AuditEvent.SELF_AUDIT_RUN, actor=actor or SYSTEM, object=run,
                         reason=f"score {score.score}")
        report.run_id = run.pk
    return report


def report_dict(report: AuditReport) -> dict[str, Any]:
    return {"score": report.score.score, "at": report.at.isoformat(),
            "critical_failed": report.score.critical_failed, "counts": report.score.counts,
            "by_practice": report.score.by_practice, "url": report.url,
            "checks": [r.as_dict() for r in report.results]}


RISK_FIELDS = ("title", "threat", "asset", "likelihood", "impact", "owner", "treatment",
               "review_due", "checks")


def risks_seed(*, actor: Any = None, today: dt.date | None = None) -> int:
    """Add the threat model's risks that are not in the register yet (idempotent)."""
    today = today or timezone.now().date()
    added = 0
    with transaction.atomic():
        for threat in THREATS:
            _, created = Risk.objects.get_or_create(
                code=threat["code"], defaults={**{k: v for k, v in threat.items()
                                                  if k != "code"},
                                               "owner": "owner",
                                               "review_due": today + dt.timedelta(days=90)})
            added += created
        if added:
            audit_record(event=AuditEvent.RISKS_SEEDED, actor=actor or SYSTEM,
                         reason=f"{added} risks from the threat model")
    return added


def _risk_clean(values: dict[str, Any]) -> dict[str, Any]:
    checks_load()
    unknown = [c for c in values.get("checks") or [] if c not in CHECKS]
    if unknown:
        raise PostureError(f"unknown self-audit check(s): {', '.join(unknown)}", field="checks")
    for name in ("likelihood", "impact"):
        if name in values and not 1 <= int(values[name]) <= 5:
            raise PostureError(f"{name} must be between 1 and 5", field=name)
    return values


def risk_create(*, code: str, actor: Any, **values: Any) -> Risk:
    values = _risk_clean(values)
    with transaction.atomic():
        if Risk.objects.filter(code=code).exists():
            raise PostureError(f"a risk {code} already exists", field="code")
        risk = Risk.objects.create(code=code, **{k: values[k] for k in RISK_FIELDS
                                                 if k in values})
        audit_record(event=AuditEvent.RISK_CREATED, actor=actor, object=risk, reason=code)
    return risk


def risk_update(*, risk_id: int, actor: Any, **values: Any) -> Risk:
    values = _risk_clean(values)
    with transaction.atomic():
        risk = Risk.objects.select_for_update().get(pk=risk_id)
        changed = [k for k in RISK_FIELDS if k in values and getattr(risk, k) != values[k]]
        for k in changed:
            setattr(risk, k, values[k])
        if changed:
            risk.updated_at = timezone.now()
            risk.save()
            audit_record(event=AuditEvent.RISK_CHANGED, actor=actor, object=risk,
                         fields=changed, reason=risk.code)
    return risk


def risk_review(*, risk_id: int, actor: Any, next_review: dt.date) -> Risk:
    """Record that a person looked at the risk; the next review date moves on."""
    with transaction.atomic():
        risk = Risk.objects.select_for_update().get(pk=risk_id)
        risk.reviewed_at = timezone.now()
        risk.reviewed_by = actor if getattr(actor, "pk", None) else None
        risk.review_due = next_review
        risk.save()
        audit_record(event=AuditEvent.RISK_REVIEWED, actor=actor, object=risk,
                     reason=f"{risk.code}; next review {next_review}")
    return risk


def risk_reviews_remind(*, today: dt.date | None = None) -> int:
    """An alert for each risk whose review date has passed (deduplicated while open)."""
    today = today or timezone.now().date()
    due = list(Risk.objects.filter(review_due__lt=today))
    for risk in due:
        alert_raise(kind="posture.risk_review_due", source="posture", severity="low",
                    summary=f"Risk {risk.code} ({risk.title}) was due for review on "
                            f"{risk.review_due}",
                    detail={"risk": risk.code}, dedupe_key=f"posture.risk_review:{risk.code}")
    return len(due)
