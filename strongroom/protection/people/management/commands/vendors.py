"""``strongroom vendors list [--format json]``: the vendor register, with what each
vendor receives (categories, never values) and what needs attention (flags)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from strongroom.protection.people.vendors.selectors import vendor_flags, vendors_list


class Command(BaseCommand):
    help = "The vendor register: third parties the store sends personal data to."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        listing = sub.add_parser("list", help="every vendor, its data categories and flags")
        listing.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, action: str, format: str, **options: Any) -> None:  # noqa: A002
        data = [{"key": v.key, "name": v.name, "service": v.service, "active": v.active,
                 "categories": v.categories, "purpose": v.purpose,
                 "legal_basis": v.legal_basis, "region": v.region,
                 "transfer_mechanism": v.transfer_mechanism, "risk_tier": v.risk_tier,
                 "dpa_signed_on": v.dpa_signed_on.isoformat() if v.dpa_signed_on else None,
                 "certifications": v.certifications,
                 "next_review_on": v.next_review_on.isoformat(),
                 "assessment_score": v.assessment_score, "flags": vendor_flags(vendor=v)}
                for v in vendors_list()]
        if format == "json":
            self.stdout.write(json.dumps(data, indent=2))
            return
        for d in data:
            state = "active" if d["active"] else "inactive"
            self.stdout.write(f"{d['key']}  {d['name']}  ({state}, risk {d['risk_tier']})  "
                              f"{', '.join(d['categories']) or 'no personal data'}  "
                              f"review {d['next_review_on']}")
            for flag in d["flags"]:
                self.stdout.write(f"    ! {flag}")
        self.stdout.write(f"{len(data)} vendor(s)")
