"""``strongroom jobs list | run NAME``: what runs when, and running one now (audited)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from strongroom.jobs.errors import UnknownJob
from strongroom.jobs.selectors import jobs_overview, worker_last_beat
from strongroom.jobs.services import job_run_request
from strongroom.protection.audit.events import Actor


class Command(BaseCommand):
    help = "Scheduled jobs: list them with their last run, or run one now."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="each job, its schedule, last run, result, next run")
        run = sub.add_parser("run", help="queue a job for the worker now (audited)")
        run.add_argument("name", help="the job's name (see `strongroom jobs list`)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
            return
        try:
            job_run_request(name=options["name"], by=Actor.system("strongroom jobs run"))
        except UnknownJob as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(f"queued {options['name']}: a worker runs it shortly "
                          "(`strongroom jobs list` shows the result)")

    def _list(self) -> None:
        for row in jobs_overview():
            last = row.last_run
            ran = (f"{last.started_at:%Y-%m-%d %H:%M} {last.status}"
                   f"{f' ({last.duration_ms} ms)' if last.duration_ms is not None else ''}"
                   if last else "never run")
            result = (last.error or last.summary) if last else ""
            nxt = f"{row.next_run:%Y-%m-%d %H:%M}" if row.next_run else "-"
            self.stdout.write(f"{row.name:<22} {row.schedule or 'off':<14} last: {ran:<32} "
                              f"next: {nxt:<16} {result}".rstrip())
        beat = worker_last_beat()
        self.stdout.write(f"worker last seen: {beat:%Y-%m-%d %H:%M:%S} UTC" if beat
                          else "worker last seen: never (start `strongroom worker`)")
