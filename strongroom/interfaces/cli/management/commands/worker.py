"""``strongroom worker``: runs queued tasks and scheduled jobs until Ctrl-C / SIGTERM."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from strongroom.interfaces.cli.management.commands.serve import _database_ready, _keys_ready
from strongroom.jobs.registry import jobs_all, schedule_of
from strongroom.jobs.worker import worker_run


class Command(BaseCommand):
    help = ("Run the task queue worker: queued tasks (emails) and scheduled jobs. Several "
            "may run at once (with STRONGROOM_REDIS_URL, on several machines).")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--threads", type=int, default=2,
                            help="tasks run at the same time by this worker (2)")

    def handle(self, *args: Any, **options: Any) -> None:
        threads = options["threads"]
        if not 1 <= threads <= 32:
            raise CommandError(f"--threads {threads} is out of range: use 1 to 32")
        if settings.STRONGROOM_JOBS.immediate:
            raise CommandError("STRONGROOM_JOBS_IMMEDIATE is on, so tasks run where they "
                               "are queued and a worker has nothing to do: unset it")
        _database_ready()
        _keys_ready()
        self.check()
        where = "Redis" if settings.STRONGROOM_REDIS_URL else "SQLite in the data directory"
        self.stdout.write(f"strongroom worker: {threads} thread(s), queue in {where}")
        for job in jobs_all().values():
            self.stdout.write(f"  {job.name:<22} {schedule_of(job) or 'off'}")
        self.stdout.flush()
        worker_run(threads=threads)
