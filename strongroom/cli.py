"""The ``strongroom`` command: Django's management commands under Strongroom's settings.

Errors a person can cause (bad configuration, an unreachable database) end in one
line on stderr and exit status 2, never a traceback.

``strongroom --help``, ``strongroom <command> --help`` and ``strongroom --version`` work
before anything is configured (see ``config.help_only_enable``).

``strongroom init`` runs before Django is set up: the settings refuse to load without
a secret key, and creating that key is what ``init`` is for.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import PackageNotFoundError, version

import django
from django.core.management import execute_from_command_line
from django.core.serializers.base import DeserializationError
from django.db.utils import OperationalError

from strongroom import config
from strongroom.config import ConfigError


def _fail(message: str) -> int:
    print(f"strongroom: error: {message}", file=sys.stderr)
    return 2


HELP_FLAGS = ("-h", "--help")


def _help_only(args: list[str]) -> bool:
    """The command line asks only for help: argparse prints it and exits before any
    command runs whenever -h/--help is among the options (not after ``--``)."""
    if not args or args[0] in ("help", *HELP_FLAGS):
        return True
    options = args[: args.index("--")] if "--" in args else args
    return any(arg in HELP_FLAGS for arg in options)


def _version() -> str:
    try:
        mine = version("strongroom")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        mine = "unknown"
    return f"strongroom {mine} (Django {django.get_version()})"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "strongroom"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strongroom.settings")

    if argv[1:] in (["--version"], ["version"]):
        print(_version())
        return 0
    if _help_only(argv[1:]):
        config.help_only_enable()  # help works before the store is configured
    try:
        if argv[1:2] == ["init"]:
            # Function-level: only `init` needs the vault's key tools (and cryptography).
            from strongroom.interfaces.cli.bootstrap import init_main

            return init_main(argv[2:])

        django.setup()
        execute_from_command_line(argv)
    except ConfigError as exc:
        return _fail(str(exc))
    except OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _fail(
            f"cannot reach the database ({first}): check STRONGROOM_DATABASE_URL "
            "and that the database server is running"
        )
    except DeserializationError as exc:  # `loaddata` of a bad fixture: nothing was loaded
        first = " ".join(str(exc).split())[:500]
        return _fail(f"the fixture was not loaded, nothing changed: {first}")
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
