"""``strongroom security sbom|scan|audit``: exit 2 for a usage error or missing data
(no advisory could be read, a broken environment), 1 for "found problems" (findings
at or above ``--fail-on``, a failing critical check), 0 otherwise."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from strongroom.protection.posture import services
from strongroom.protection.posture.errors import (
    AdvisoryFormatError,
    NoAdvisoryData,
    SbomError,
)
from strongroom.protection.posture.internal.cvss import ORDER, at_least
from strongroom.protection.posture.internal.report import report_html, report_json, report_text

SCAN_HELP = ("match the installed software against OSV advisories: the OSV API "
             "(default, or STRONGROOM_OSV) or a local OSV export (--osv FOLDER_OR_ZIP)")


def _write(out: str | None, text: str, stdout: Any) -> None:
    """To stdout, or to ``out`` atomically (a half-written report is never left)."""
    if not out:
        stdout.write(text, ending="")
        return
    target = Path(out)
    if not target.parent.is_dir():
        raise CommandError(f"--out: the folder {target.parent} does not exist", returncode=2)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CommandError(f"cannot write {target}: {exc.strerror}", returncode=2) from None


class Command(BaseCommand):
    help = "Software bill of materials, vulnerability scan, security self-audit."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        sbom = sub.add_parser("sbom", help="write the CycloneDX 1.6 JSON SBOM of the store")
        sbom.add_argument("--out", metavar="FILE", help="write to FILE (default: stdout)")
        scan = sub.add_parser("scan", help=SCAN_HELP, description=SCAN_HELP)
        scan.add_argument("--osv", metavar="PATH_OR_URL",
                          help="OSV export (folder or zip of OSV JSON) or OSV API base URL")
        scan.add_argument("--format", choices=("text", "json"), default="text")
        scan.add_argument("--fail-on", choices=ORDER[1:], default="high",
                          help="exit 1 when a finding is at least this severe (default high)")
        audit = sub.add_parser("audit", help="run the security self-audit and score it")
        audit.add_argument("--format", choices=("text", "json", "html"), default="text")
        audit.add_argument("--out", metavar="FILE", help="write to FILE (default: stdout)")
        audit.add_argument("--url", help="the store's https:// address to request over TLS "
                                         "(default: STRONGROOM_AUDIT_URL, else in-process)")
        audit.add_argument("--no-keep", action="store_true",
                           help="do not keep this run in the history")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"do_{action}")(**options)

    def do_sbom(self, *, out: str | None, **options: Any) -> None:
        try:
            document = services.sbom_generate()
        except SbomError as exc:
            raise CommandError(exc.message, returncode=2) from None
        _write(out, document, self.stdout)
        if out:
            count = len(json.loads(document).get("components", []))
            self.stderr.write(f"SBOM with {count} components written to {out}")

    def do_scan(self, *, osv: str | None, format: str, fail_on: str,  # noqa: A002
                **options: Any) -> None:
        try:
            report = services.vulnerability_scan_run(source=osv)
        except NoAdvisoryData as exc:
            raise CommandError(f"no advisory data: {exc.message}", returncode=2) from None
        except (AdvisoryFormatError, SbomError) as exc:
            raise CommandError(exc.message, returncode=2) from None
        run = report.run
        rows = [{"package": m.package, "ecosystem": m.ecosystem, "version": m.version,
                 "advisory": m.advisory.id, "aliases": list(m.advisory.aliases),
                 "severity": m.advisory.severity, "cvss": m.advisory.score,
                 "summary": m.advisory.summary, "fixed": m.fixed, "upgrade": m.upgrade}
                for m in report.matches]
        support = [s.message for s in report.support if s.level != "ok"]
        if format == "json":
            self.stdout.write(json.dumps({
                "source": run.source, "advisories": run.advisories, "packages": run.packages,
                "findings": rows, "end_of_support": support}, indent=2))
        else:
            self.stdout.write(f"scanned {run.packages} packages against {run.advisories} "
                              f"advisories from {run.source}")
            for r in rows:
                aliases = f" ({', '.join(r['aliases'])})" if r["aliases"] else ""
                cvss = f" CVSS {r['cvss']}" if r["cvss"] is not None else ""
                self.stdout.write(
                    f"{r['severity'].upper():<8} {r['package']} {r['version']}: "
                    f"{r['advisory']}{aliases}{cvss} - fixed in "
                    f"{r['fixed'] or 'no release yet'}; {r['upgrade']}")
            for line in support:
                self.stdout.write(f"WARNING  {line}")
            if not rows:
                self.stdout.write("no known vulnerability in the installed versions")
        failing = [r for r in rows if at_least(r["severity"], fail_on)]
        if failing:
            raise CommandError(f"{len(failing)} finding(s) at or above {fail_on}",
                               returncode=1)

    def do_audit(self, *, format: str, out: str | None, url: str | None,  # noqa: A002
                 no_keep: bool, **options: Any) -> None:
        if url is not None and not url.startswith("https://"):
            raise CommandError("--url must be the store's https:// address", returncode=2)
        report = services.self_audit_run(url=url, keep=not no_keep)
        data = services.report_dict(report)
        if format == "json":
            text = report_json(data)
        elif format == "html":
            text = report_html(data, store=settings.STRONGROOM_STORE_NAME)
        else:
            text = report_text(data)
        _write(out, text, self.stdout)
        if out:
            self.stderr.write(f"score {report.score.score}/100 written to {out}")
        if report.score.critical_failed:
            raise CommandError(f"critical check(s) failing: "
                               f"{', '.join(report.score.critical_failed)}", returncode=1)
