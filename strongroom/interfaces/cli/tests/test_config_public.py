"""STRONGROOM_PUBLIC_URL (issue 11 item 10) and STRONGROOM_SECRET_KEY_FALLBACKS (item 6)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from strongroom import config
from strongroom.interfaces.cli.tests.cliutil import GOOD_KEY


def _load(tmp_path: Path, **overrides: str) -> config.Config:
    env = {"STRONGROOM_DATA_DIR": str(tmp_path / "var"), "STRONGROOM_SECRET_KEY": GOOD_KEY,
           "STRONGROOM_ALLOWED_HOSTS": "shop.example.com,.example.org", **overrides}
    return config.load(env, dotenv_path=tmp_path / "no.env")


def test_public_url_defaults_to_the_first_allowed_host_over_https(tmp_path: Path) -> None:
    loaded = _load(tmp_path)
    assert loaded.public_url == "https://shop.example.com"
    assert loaded.public_url_configured is False
    assert _load(tmp_path, STRONGROOM_ALLOWED_HOSTS=".example.org").public_url == (
        "https://example.org")


@pytest.mark.parametrize("raw, expected", [
    ("https://shop.example.com", "https://shop.example.com"),
    ("https://shop.example.com/", "https://shop.example.com"),
    ("https://shop.example.com:443", "https://shop.example.com"),
    ("https://www.example.org:8443", "https://www.example.org:8443"),
])
def test_public_url_is_an_https_origin(tmp_path: Path, raw: str, expected: str) -> None:
    loaded = _load(tmp_path, STRONGROOM_PUBLIC_URL=raw)
    assert loaded.public_url == expected and loaded.public_url_configured is True


@pytest.mark.parametrize("raw", [
    "http://shop.example.com", "shop.example.com", "https://shop.example.com/shop",
    "https://shop.example.com?x=1", "https://user:pw@shop.example.com",
    "https://shop.example.com:99999", "https://elsewhere.example.net",
])
def test_bad_public_url_is_one_clear_error(tmp_path: Path, raw: str) -> None:
    with pytest.raises(config.ConfigError, match="STRONGROOM_PUBLIC_URL"):
        _load(tmp_path, STRONGROOM_PUBLIC_URL=raw)


def test_secret_key_fallbacks_are_read_and_checked(tmp_path: Path) -> None:
    old1, old2 = secrets.token_urlsafe(64), secrets.token_urlsafe(64)
    loaded = _load(tmp_path, STRONGROOM_SECRET_KEY_FALLBACKS=f"{old1}, {old2}")
    assert loaded.secret_key_fallbacks == [old1, old2]
    assert old1 not in repr(loaded) and GOOD_KEY not in repr(loaded)  # never printed
    assert _load(tmp_path).secret_key_fallbacks == []
    with pytest.raises(config.ConfigError, match="entry 1 is weak"):
        _load(tmp_path, STRONGROOM_SECRET_KEY_FALLBACKS="short")
    with pytest.raises(config.ConfigError, match="entry 2 is the current"):
        _load(tmp_path, STRONGROOM_SECRET_KEY_FALLBACKS=f"{old1},{GOOD_KEY}")


def test_deploy_check_warns_while_the_public_url_is_guessed(settings) -> None:
    from strongroom.interfaces.web.checks import public_url_configured

    settings.STRONGROOM_PUBLIC_URL_CONFIGURED = False
    assert [w.id for w in public_url_configured()] == ["web.W001"]
    settings.STRONGROOM_PUBLIC_URL_CONFIGURED = True
    assert public_url_configured() == []
