"""`strongroom init`: works on a fresh clone (no secret yet), idempotent, private files."""

from __future__ import annotations

import io
import stat
from pathlib import Path

from django.core.management import call_command

from strongroom.interfaces.cli.bootstrap import init_run
from strongroom.interfaces.cli.tests.cliutil import cli_env, run_cli
from strongroom.protection.vault.tls import certificate_names


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_on_a_fresh_clone_creates_everything(tmp_path: Path) -> None:
    env = cli_env(tmp_path, STRONGROOM_SECRET_KEY=None,
                  STRONGROOM_ALLOWED_HOSTS="localhost,shop.example.com")
    data = tmp_path / "var"

    first = run_cli(tmp_path, "init", env=env)

    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    assert _mode(data) == 0o700
    assert _mode(data / "secret_key") == 0o600
    assert len((data / "secret_key").read_text()) >= 50
    for name in ("ca.pem", "ca-key.pem", "server.pem", "server-key.pem"):
        assert _mode(data / "tls" / name) == 0o600
    assert "shop.example.com" in certificate_names(data / "tls" / "server.pem")
    assert f"curl --cacert {data / 'tls' / 'ca.pem'} https://localhost:8443/" in first.stdout
    # ...and the secret key it made is what the settings now load.
    assert run_cli(tmp_path, "check", env=env).returncode == 0


def test_init_twice_keeps_the_files(tmp_path: Path) -> None:
    env = cli_env(tmp_path, STRONGROOM_SECRET_KEY=None)
    run_cli(tmp_path, "init", env=env)
    files = sorted((tmp_path / "var").rglob("*"))
    before = {p: p.read_bytes() for p in files if p.is_file()}

    second = run_cli(tmp_path, "init", env=env)

    assert second.returncode == 0, second.stderr
    assert "Kept secret key" in second.stdout and "Kept server certificate" in second.stdout
    assert {p: p.read_bytes() for p in files if p.is_file()} == before


def test_init_tightens_a_loose_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    data.chmod(0o755)
    init_run(data_dir=data, allowed_hosts=[], out=io.StringIO())
    assert _mode(data) == 0o700


def test_init_in_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    env = cli_env(tmp_path, STRONGROOM_SECRET_KEY=None,
                  STRONGROOM_DATA_DIR=str(blocker / "var"))
    result = run_cli(tmp_path, "init", env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "strongroom: error:" in result.stderr
    assert "STRONGROOM_DATA_DIR" in result.stderr


def test_init_management_command_uses_the_settings(settings, tmp_path: Path) -> None:
    settings.STRONGROOM_DATA_DIR = tmp_path / "data"
    settings.ALLOWED_HOSTS = ["testserver", "shop.example.org"]
    out = io.StringIO()
    call_command("init", stdout=out)
    assert "Created local certificate authority" in out.getvalue()
    assert "shop.example.org" in certificate_names(tmp_path / "data" / "tls" / "server.pem")


def test_init_creates_the_vault_key_file_once(tmp_path: Path) -> None:
    env = cli_env(tmp_path, STRONGROOM_SECRET_KEY=None, STRONGROOM_KEK=None)
    first = run_cli(tmp_path, "init", env=env)
    key_file = tmp_path / "var" / "keys" / "kek-1.key"
    assert first.returncode == 0, first.stderr
    assert f"Created key-encryption key {key_file}" in first.stdout
    assert _mode(key_file) == 0o600 and _mode(key_file.parent) == 0o700
    key = key_file.read_bytes()
    second = run_cli(tmp_path, "init", env=env)
    assert "Kept key-encryption key" in second.stdout
    assert key_file.read_bytes() == key and not (key_file.parent / "kek-2.key").exists()


def test_init_with_a_kek_from_the_environment_writes_no_key_file(tmp_path: Path) -> None:
    env = cli_env(tmp_path, STRONGROOM_SECRET_KEY=None)  # cli_env sets STRONGROOM_KEK
    result = run_cli(tmp_path, "init", env=env)
    assert "from STRONGROOM_KEK" in result.stdout
    assert not list((tmp_path / "var").rglob("kek-*.key"))


def test_init_refuses_a_bad_kek_in_one_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path, STRONGROOM_SECRET_KEY=None, STRONGROOM_KEK="not-a-key")
    result = run_cli(tmp_path, "init", env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "STRONGROOM_KEK is not valid" in result.stderr
