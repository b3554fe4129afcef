"""Patching, recovery, privacy, third parties, incidents, alerts and the job worker."""

from __future__ import annotations

import datetime as dt
import sys

import django
from django.conf import settings

from strongroom.protection.alerts.selectors import alerts_open as open_alerts

from ...errors import SbomError
from ...models import AuditRun, Finding, Risk, ScanRun
from ..cvss import at_least
from ..eos import support_statuses
from ..inventory import inventory_take
from .capabilities import capability_model
from .registry import Context, Outcome, bad, check, na, ok, warn


@check("patch.scan_recent", title="Vulnerability scan in the last 2 days", practice="patching",
       pci="6.3.1", asvs="15.2.1", weight=2)
def patch_scan_recent(ctx: Context) -> Outcome:
    last = ScanRun.objects.filter(ok=True).first()
    failed = ScanRun.objects.filter(ok=False).first()
    if last is None:
        why = f" (last attempt failed: {failed.error})" if failed else ""
        return bad(f"no successful scan yet: run `strongroom security scan`{why}")
    if last.started_at < ctx.now - dt.timedelta(days=2):
        return bad(f"last successful scan {last.started_at:%Y-%m-%d %H:%M}")
    return ok(f"{last.started_at:%Y-%m-%d %H:%M} against {last.advisories} advisories "
              f"({last.source})")


@check("patch.open_findings", title="No open high or critical vulnerability",
       practice="patching", pci="6.3.3", asvs="15.2.1", weight=3, critical=True)
def patch_open_findings(ctx: Context) -> Outcome:
    if not ScanRun.objects.filter(ok=True).exists():
        return bad("never scanned: vulnerabilities unknown")
    open_ = list(Finding.objects.filter(resolved_at=None))
    serious = [f for f in open_ if at_least(f.severity, "high")]
    if serious:
        names = ", ".join(sorted({f"{f.package} {f.version}" for f in serious}))
        return bad(f"{len(serious)} high/critical: {names}")
    if open_:
        return warn(f"{len(open_)} lower-severity finding(s) open")
    return ok("none open")


@check("patch.end_of_support", title="Python and Django supported for 90+ days",
       practice="patching", pci="12.3.4", asvs="15.2.1", weight=2)
def patch_end_of_support(ctx: Context) -> Outcome:
    statuses = support_statuses(python=".".join(map(str, sys.version_info[:2])),
                                django=django.get_version(), today=ctx.now.date())
    worst = [s for s in statuses if s.level != "ok"]
    detail = "; ".join(s.message for s in (worst or statuses))
    if any(s.level == "ended" for s in statuses):
        return bad(detail)
    return warn(detail) if worst else ok(detail)


@check("patch.sbom", title="The installed software is fully inventoried", practice="patching",
       pci="6.3.2", asvs="15.1.2", weight=1)
def patch_sbom(ctx: Context) -> Outcome:
    try:
        inv = ctx.once("inventory", lambda: inventory_take(with_files=False))
    except SbomError as exc:
        return bad(exc.message)
    return ok(f"{len(inv.packages)} Python distributions, all of strongroom's requirements")


@check("backups.recent", title="Verified backup in the last 26 hours",
       practice="disaster_recovery", pci="12.10.1", asvs="14.2.1", weight=3, critical=True)
def backups_recent(ctx: Context) -> Outcome:
    model, reason = capability_model("backups", "Backup")
    if model is None:
        return na(reason)
    # "complete" means restored into a scratch database, checked and sealed (backups app).
    last = model.objects.filter(status="complete").order_by("-finished_at").first()
    if last is None or last.finished_at < ctx.now - dt.timedelta(hours=26):
        return bad("no verified backup in the last 26 hours")
    return ok(f"last verified backup {last.finished_at:%Y-%m-%d %H:%M}")


@check("backups.drill", title="Restore drill in the last 90 days",
       practice="disaster_recovery", pci="12.10.2", asvs="14.2.1", weight=2)
def backups_drill(ctx: Context) -> Outcome:
    model, reason = capability_model("backups", "Drill")
    if model is None:
        return na(reason)
    last = model.objects.filter(ok=True).order_by("-finished_at").first()
    if last is None or last.finished_at < ctx.now - dt.timedelta(days=90):
        return bad("no successful restore drill in the last 90 days")
    return ok(f"last drill {last.finished_at:%Y-%m-%d}")


@check("backups.destinations", title="Backups kept in two places or more",
       practice="disaster_recovery", pci="12.10.1", asvs="14.2.1", weight=1)
def backups_destinations(ctx: Context) -> Outcome:
    model, reason = capability_model("backups", "Backup")
    if model is None:
        return na(reason)
    count = len(getattr(settings, "STRONGROOM_BACKUPS", None).destinations or ())
    return ok(f"{count} destinations") if count >= 2 else bad(
        f"{count} destination(s) in STRONGROOM_BACKUP_DESTINATIONS")


@check("privacy.policy", title="Privacy policy generated and published", practice="privacy",
       pci="12.1.1", asvs="14.1.1", weight=2)
def privacy_policy(ctx: Context) -> Outcome:
    model, reason = capability_model("privacy", "PolicyVersion")
    if model is None:
        return na(reason)
    if not model.objects.filter(published_at__isnull=False).exists():
        return bad("no published privacy policy")
    return ok("published at /privacy/")


@check("privacy.retention", title="Retention sweep ran in the last 2 days",
       practice="privacy", pci="3.2.1", asvs="14.2.7", weight=2)
def privacy_retention(ctx: Context) -> Outcome:
    model, reason = capability_model("jobs", "JobRun")
    if model is None:
        return na(reason)
    privacy, why = capability_model("privacy", "ErasureLedgerEntry")
    if privacy is None:
        return na(why)
    last = model.objects.filter(job="privacy-retention", status="ok") \
        .order_by("-finished_at").first()
    if last is None or last.finished_at < ctx.now - dt.timedelta(days=2):
        return bad("the retention job has not run successfully in 2 days")
    return ok(f"last run {last.finished_at:%Y-%m-%d %H:%M}")


@check("vendors.reviews", title="No vendor review overdue", practice="third_parties",
       pci="12.8.4", asvs="15.1.1", weight=2)
def vendors_reviews(ctx: Context) -> Outcome:
    model, reason = capability_model("people", "Vendor")
    if model is None:
        return na(reason)
    overdue = model.objects.filter(active=True, next_review_on__lt=ctx.now.date()).count()
    if overdue:
        return bad(f"{overdue} vendor review(s) overdue")
    return ok(f"{model.objects.count()} vendors, none overdue")


@check("incidents.plan", title="An incident response plan with playbooks",
       practice="incident_response", pci="12.10.1", asvs="16.1.1", weight=2)
def incidents_plan(ctx: Context) -> Outcome:
    model, reason = capability_model("incidents", "Playbook")
    if model is None:
        return na(reason)
    # Playbooks ship with the store (incidents/playbooks/<kind>.md); a Playbook row is the
    # store's own edit of one. The plan is there when every kind has steps to follow.
    from strongroom.protection.incidents.models import Kind
    from strongroom.protection.incidents.playbooks import playbook_steps

    empty = [k.value for k in Kind if not playbook_steps(kind=k.value)]
    if empty:
        return bad(f"no playbook steps for: {', '.join(empty)}")
    return ok(f"a playbook for each of the {len(Kind)} incident types")


@check("jobs.worker", title="A job worker is running (heartbeat in the last 10 minutes)",
       practice="incident_response", pci="10.7.2", asvs="16.3.4", weight=2)
def jobs_worker(ctx: Context) -> Outcome:
    model, reason = capability_model("jobs", "WorkerBeat")
    if model is None:
        return na(reason)
    last = model.objects.order_by("-beat_at").first()
    if last is None or last.beat_at < ctx.now - dt.timedelta(minutes=10):
        return bad("no worker heartbeat in the last 10 minutes: is `strongroom worker` "
                   "running?")
    return ok(f"last worker heartbeat {last.beat_at:%Y-%m-%d %H:%M}")


@check("alerts.open", title="High and critical alerts handled within a day",
       practice="incident_response", pci="10.7.2", asvs="16.3.2", weight=2)
def alerts_open(ctx: Context) -> Outcome:
    cutoff = ctx.now - dt.timedelta(days=1)
    old = sum(1 for a in open_alerts(limit=100000)
              if a.severity in ("high", "critical") and a.first_seen < cutoff)
    if old:
        return bad(f"{old} high/critical alert(s) open for more than a day")
    return ok("none open for more than a day")


@check("risks.reviewed", title="Risk register reviewed on time", practice="audits",
       pci="12.3.1", asvs="15.1.1", weight=2)
def risks_reviewed(ctx: Context) -> Outcome:
    total = Risk.objects.count()
    if total == 0:
        return bad("the risk register is empty")
    overdue = Risk.objects.filter(review_due__lt=ctx.now.date()).count()
    if overdue:
        return bad(f"{overdue} of {total} risks past their review date")
    return ok(f"{total} risks, none past review")


@check("audits.self_audit", title="Self-audit run in the last 35 days", practice="audits",
       pci="12.4.2", asvs="15.1.1", weight=1)
def audits_self_audit(ctx: Context) -> Outcome:
    last = AuditRun.objects.first()
    if last is None:
        return warn("this is the first self-audit: schedule it (the daily job does)")
    if last.at < ctx.now - dt.timedelta(days=35):
        return bad(f"previous self-audit {last.at:%Y-%m-%d}")
    return ok(f"previous self-audit {last.at:%Y-%m-%d} scored {last.score}")
