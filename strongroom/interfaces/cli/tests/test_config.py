"""Configuration (strongroom.config) and how the command line reports a bad one:
exactly one line on stderr, a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from strongroom import config
from strongroom.interfaces.cli.tests.cliutil import (
    GOOD_KEY,
    assert_one_line_error,
    cli_env,
    run_cli,
)


def _env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        "STRONGROOM_DATA_DIR": str(tmp_path / "var"),
        "STRONGROOM_SECRET_KEY": GOOD_KEY,
        "STRONGROOM_ALLOWED_HOSTS": "shop.example.com",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _load(tmp_path: Path, **overrides: str) -> config.Config:
    return config.load(_env(tmp_path, **overrides), dotenv_path=tmp_path / "no.env")


# --- config.load ---------------------------------------------------------------------------

def test_valid_configuration_loads(tmp_path: Path) -> None:
    loaded = _load(tmp_path)
    assert loaded.debug is False
    assert loaded.data_dir == (tmp_path / "var").resolve()
    assert loaded.database_url == f"sqlite:///{loaded.data_dir / 'strongroom.sqlite3'}"
    assert loaded.allowed_hosts == ["shop.example.com"]
    assert loaded.secret_key == GOOD_KEY


def test_missing_secret_key_points_at_init(tmp_path: Path) -> None:
    with pytest.raises(config.ConfigError, match="strongroom init"):
        _load(tmp_path, STRONGROOM_SECRET_KEY="")


def test_secret_key_file_is_used_and_must_be_private(tmp_path: Path) -> None:
    path = config.secret_key_create(tmp_path / "var")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert _load(tmp_path, STRONGROOM_SECRET_KEY="").secret_key == path.read_text()
    path.chmod(0o644)
    with pytest.raises(config.ConfigError, match="chmod 600"):
        _load(tmp_path, STRONGROOM_SECRET_KEY="")


@pytest.mark.parametrize("weak", ["short", "a" * 80, "django-insecure-" + "x1y2z3" * 10])
def test_weak_secret_key_is_refused(tmp_path: Path, weak: str) -> None:
    with pytest.raises(config.ConfigError, match="weak"):
        _load(tmp_path, STRONGROOM_SECRET_KEY=weak)


def test_debug_allows_a_throwaway_key_and_local_hosts(tmp_path: Path) -> None:
    loaded = _load(tmp_path, STRONGROOM_DEBUG="1", STRONGROOM_SECRET_KEY="",
                   STRONGROOM_ALLOWED_HOSTS="")
    assert len(loaded.secret_key) >= config.MIN_SECRET_KEY_LENGTH
    assert loaded.allowed_hosts == ["localhost", "127.0.0.1", "[::1]"]


@pytest.mark.parametrize("hosts", ["", " , ", "*", "shop.example.com,*"])
def test_allowed_hosts_must_be_explicit(tmp_path: Path, hosts: str) -> None:
    with pytest.raises(config.ConfigError, match="STRONGROOM_ALLOWED_HOSTS"):
        _load(tmp_path, STRONGROOM_ALLOWED_HOSTS=hosts)


@pytest.mark.parametrize("url", [
    "mysql://u@h/x", "postgres://[bad", "postgres://u@h:99999/x", "postgres://u@h:abc/x",
    "postgres://host-without-database", "not a url",
])
def test_bad_database_url_is_one_clear_error(tmp_path: Path, url: str) -> None:
    with pytest.raises(config.ConfigError, match="STRONGROOM_DATABASE_URL") as caught:
        _load(tmp_path, STRONGROOM_DATABASE_URL=url)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("url", [
    "postgres://postgres@127.0.0.1:5432/shop", "postgresql://u:p%40ss@db/shop",
    "sqlite:////srv/strongroom/db.sqlite3",
])
def test_good_database_urls(tmp_path: Path, url: str) -> None:
    assert _load(tmp_path, STRONGROOM_DATABASE_URL=url).database_url == url


@pytest.mark.parametrize(("name", "value"), [
    ("STRONGROOM_DEBUG", "maybe"), ("STRONGROOM_HSTS_SECONDS", "-1"),
    ("STRONGROOM_HSTS_SECONDS", "year"), ("STRONGROOM_CURRENCY", "EURO"),
    ("STRONGROOM_LOG_LEVEL", "LOUD"),
])
def test_other_bad_values(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(config.ConfigError, match=name):
        _load(tmp_path, **{name: value})


def test_dotenv_fills_in_and_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("STRONGROOM_STORE_NAME=From dotenv\nSTRONGROOM_CURRENCY=usd\n")
    loaded = config.load(_env(tmp_path, STRONGROOM_CURRENCY="GBP"), dotenv_path=dotenv)
    assert loaded.store_name == "From dotenv"
    assert loaded.currency == "GBP"


def test_load_for_init_needs_no_secret_and_no_hosts(tmp_path: Path) -> None:
    loaded = config.load_for_init({"STRONGROOM_DATA_DIR": str(tmp_path / "d")},
                                  dotenv_path=tmp_path / "no.env")
    assert loaded.data_dir == (tmp_path / "d").resolve()
    assert loaded.allowed_hosts == []


# --- the command line --------------------------------------------------------------------------

def test_cli_works_when_configuration_is_good(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "check", env=cli_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(("overrides", "needles"), [
    ({"STRONGROOM_SECRET_KEY": None}, ["no secret key", "strongroom init"]),
    ({"STRONGROOM_SECRET_KEY": "too-short"}, ["weak"]),
    ({"STRONGROOM_ALLOWED_HOSTS": ""}, ["STRONGROOM_ALLOWED_HOSTS is empty"]),
    ({"STRONGROOM_DATABASE_URL": "mysql://root@localhost/shop"}, ["STRONGROOM_DATABASE_URL"]),
    ({"STRONGROOM_DATABASE_URL": "postgres://[oops"}, ["STRONGROOM_DATABASE_URL"]),
    ({"STRONGROOM_DEBUG": "perhaps"}, ["STRONGROOM_DEBUG"]),
])
def test_cli_bad_configuration_is_one_line(tmp_path: Path, overrides: dict[str, str | None],
                                           needles: list[str]) -> None:
    result = run_cli(tmp_path, "check", env=cli_env(tmp_path, **overrides))
    assert_one_line_error(result, "strongroom: error:", *needles)
    assert result.returncode == 2


@pytest.mark.parametrize("command", [["migrate", "--noinput"], ["serve", "--no-http"],
                                     ["check", "--database", "default"]])
def test_cli_unreachable_postgres_is_one_line(tmp_path: Path, command: list[str]) -> None:
    env = cli_env(tmp_path, STRONGROOM_DATABASE_URL="postgres://postgres@127.0.0.1:1/x")
    result = run_cli(tmp_path, *command, env=env)
    if command[0] == "check":
        # `check` looks at code and settings, not at the server: it must not pretend.
        assert result.returncode == 0, result.stderr
        return
    assert_one_line_error(result, "cannot reach the database", "STRONGROOM_DATABASE_URL")


def test_cli_missing_sqlite_directory_is_one_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path, STRONGROOM_DATABASE_URL=f"sqlite:///{tmp_path}/nowhere/db.sqlite3")
    assert_one_line_error(run_cli(tmp_path, "migrate", env=env), "cannot reach the database")


@pytest.mark.parametrize("content", [
    '[{"model": "vault.probe", "pk": "0b6e9c52-7a86-4d1e-9a55-1b8e0c2a4f10", '
    '"fields": {"subject": "0b6e9c52-7a86-4d1e-9a55-1b8e0c2a4f11", "name": "vault1:%%%"}}]',
    "[{not json",
])
def test_cli_bad_fixture_is_one_line_and_loads_nothing(tmp_path: Path, content: str) -> None:
    env = cli_env(tmp_path)
    assert run_cli(tmp_path, "migrate", "--noinput", "-v0", env=env).returncode == 0
    fixture = tmp_path / "bad.json"
    fixture.write_text(content)
    result = run_cli(tmp_path, "loaddata", str(fixture), env=env)
    assert_one_line_error(result, "strongroom: error: the fixture was not loaded", "bad.json")
    assert result.returncode == 2
    count = run_cli(tmp_path, "shell", "-v", "0", "-c",
                    "from strongroom.protection.vault.models import Probe, Subject;"
                    "print(Probe.objects.count(), Subject.objects.count())", env=env)
    assert count.stdout.split() == ["0", "0"], count.stderr


@pytest.mark.parametrize("months", ["0", "7", "12", "half", "-1"])
def test_access_review_interval_is_one_to_six_months(tmp_path: Path, months: str) -> None:
    with pytest.raises(config.ConfigError, match="STRONGROOM_ACCESS_REVIEW_MONTHS") as caught:
        _load(tmp_path, STRONGROOM_ACCESS_REVIEW_MONTHS=months)
    assert "\n" not in str(caught.value)


def test_access_review_interval_default_and_shorter(tmp_path: Path) -> None:
    assert _load(tmp_path).access_review_months == 6
    assert _load(tmp_path, STRONGROOM_ACCESS_REVIEW_MONTHS="3").access_review_months == 3
