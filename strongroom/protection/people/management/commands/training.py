"""``strongroom training status [--format json]``: each active staff member, each module
their role needs, its completion and expiry. Exit status 1 when anyone's training is not
current (a scheduler can alert on it), 0 otherwise."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strongroom.protection.people.training.catalog import CatalogError
from strongroom.protection.people.training.selectors import training_status


class Command(BaseCommand):
    help = "Staff training: who has completed which module, and when it expires."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        status = sub.add_parser("status", help="each staff member, module, completion, expiry")
        status.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, action: str, format: str, **options: Any) -> None:  # noqa: A002
        try:
            rows = training_status()
        except CatalogError as exc:
            raise CommandError(f"a training module cannot be read: {exc}", returncode=2) from exc
        data = [{"staff_id": str(r.user.pk), "name": r.user.full_name, "module": r.module.slug,
                 "version": r.module.version, "state": r.state,
                 "completed": r.completion.completed_at.date().isoformat() if r.completion
                 else None,
                 "expires": r.completion.expires_at.date().isoformat() if r.completion
                 else None} for r in rows]
        if format == "json":
            self.stdout.write(json.dumps(data, indent=2))
        else:
            for d in data:
                self.stdout.write(f"{d['staff_id']}  {d['name'] or '(no name)'}  {d['module']} "
                                  f"v{d['version']}  {d['state']}  completed "
                                  f"{d['completed'] or '-'}  expires {d['expires'] or '-'}")
            due = sum(1 for d in data if d["state"] != "current")
            self.stdout.write(f"{len(data)} required module(s), {due} not current")
        if any(d["state"] != "current" for d in data):
            raise SystemExit(1)
