"""``strongroom risks list|seed``: the risk register with residual scores from the
latest self-audit (a failing control raises a risk's residual score)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from strongroom.protection.posture import selectors, services


class Command(BaseCommand):
    help = "Risk register: list (with residual scores), seed from the threat model."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        sub.add_parser("list", help="every risk: inherent and residual score, review date, "
                                    "controls failing in the latest self-audit")
        sub.add_parser("seed", help="add the threat model's risks (T1-T11) that are missing")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "seed":
            added = services.risks_seed()
            self.stdout.write(f"{added} risk(s) added from the threat model")
            return
        views = selectors.risks_list()
        if not views:
            self.stdout.write("the risk register is empty: run `strongroom risks seed`")
            return
        if selectors.audit_latest() is None:
            self.stdout.write("note: no self-audit yet, residual = inherent "
                              "(run `strongroom security audit`)")
        for v in views:
            r = v.risk
            due = "OVERDUE" if v.review_overdue else "review"
            failing = [c for c, s in v.controls if s == "fail"]
            self.stdout.write(
                f"{r.code:<4} {r.title:<42} L{r.likelihood} x I{r.impact} = {v.inherent:>2}"
                f"  residual {v.residual:>2}  owner {r.owner}  {due} {r.review_due}"
                + (f"  failing: {', '.join(failing)}" if failing else ""))
