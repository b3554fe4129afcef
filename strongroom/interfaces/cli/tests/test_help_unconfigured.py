"""Issue 11 item 17: `strongroom --help` needed a configured store (it stopped on the
missing STRONGROOM_ALLOWED_HOSTS, then on the secret key). Help, `--version`, `init` and
every command's `--help` must work in a clean environment, in an empty directory; a
command that runs still refuses the missing configuration."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from strongroom.interfaces.cli.tests.cliutil import assert_one_line_error, cli_env, run_cli

UNCONFIGURED = {"STRONGROOM_ALLOWED_HOSTS": None, "STRONGROOM_SECRET_KEY": None,
                "STRONGROOM_KEK": None, "STRONGROOM_DATABASE_URL": None,
                "STRONGROOM_DATA_DIR": None, "STRONGROOM_LOG_LEVEL": None}


def _env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path, **UNCONFIGURED)


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "error" not in result.stderr.lower(), result.stderr
    return result.stdout


def test_help_and_version_before_anything_is_configured(tmp_path: Path) -> None:
    env = _env(tmp_path)
    listing = _ok(run_cli(tmp_path, "--help", env=env))
    assert "[cli]" in listing and "serve" in listing and "keys" in listing
    assert _ok(run_cli(tmp_path, "--version", env=env)).startswith("strongroom ")
    assert "--reencrypt" in _ok(run_cli(tmp_path, "keys", "rotate", "--help", env=env))
    assert "--port" in _ok(run_cli(tmp_path, "help", "serve", env=env))
    assert not (tmp_path / "var").exists()  # help wrote nothing


def test_every_strongroom_command_has_help_before_configuration(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import os, sys
        from strongroom import config
        from strongroom.cli import main
        config.help_only_enable()
        os.environ["DJANGO_SETTINGS_MODULE"] = "strongroom.settings"
        import django
        django.setup()
        from django.core.management import get_commands
        names = sorted(n for n, app in get_commands().items() if app.startswith("strongroom"))
        for name in names:
            try:
                main(["strongroom", name, "--help"])
            except SystemExit as exc:
                assert exc.code in (0, None), (name, exc.code)
        print("COMMANDS", ",".join(names), file=sys.stderr)
    """)
    result = subprocess.run([sys.executable, "-c", script], env=_env(tmp_path), cwd=tmp_path,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    names = result.stderr.split("COMMANDS ", 1)[1].strip().split(",")
    assert {"serve", "keys", "audit", "accounts"} <= set(names)


def test_init_works_unconfigured_and_running_commands_still_refuse(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert "Created secret key" in _ok(run_cli(tmp_path, "init", env=env))
    assert (tmp_path / "var" / "secret_key").exists()
    # A command that does something still needs the configuration: one clear line.
    assert_one_line_error(run_cli(tmp_path, "migrate", env=env), "STRONGROOM_ALLOWED_HOSTS")
    # `--` ends the options: a literal "--help" after it is no help request.
    assert_one_line_error(run_cli(tmp_path, "check", "--", "--help", env=env),
                          "STRONGROOM_ALLOWED_HOSTS")
