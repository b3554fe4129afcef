"""``strongroom init`` from inside Django (``call_command("init")``).

The command line runs the same code before Django is set up — see ``strongroom.cli``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from strongroom.interfaces.cli.bootstrap import init_run


class Command(BaseCommand):
    help = (
        "Create the data directory, the secret key and the local TLS certificates "
        "(keeps existing ones, renews a server certificate that is due)."
    )
    requires_system_checks: list[str] = []

    def handle(self, *args: object, **options: object) -> None:
        init_run(
            data_dir=settings.STRONGROOM_DATA_DIR,
            allowed_hosts=list(settings.ALLOWED_HOSTS),
            out=self.stdout,
            kek=getattr(settings, "STRONGROOM_KEK", None),
        )
