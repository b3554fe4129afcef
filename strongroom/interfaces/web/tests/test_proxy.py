"""Behind a reverse proxy the client's address comes from the proxy's X-Forwarded-For
entry, never from what the client wrote there itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from strongroom import config
from strongroom.interfaces.cli.tests.cliutil import GOOD_KEY
from strongroom.interfaces.web.proxy import ClientAddressMiddleware, forwarded_client
from strongroom.protection.accounts.throttling import throttle
from strongroom.testing.factories import user_make

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize(("header", "hops", "expected"), [
    ("198.51.100.7", 1, "198.51.100.7"),
    ("127.0.0.1, 198.51.100.7", 1, "198.51.100.7"),  # the client's own entry is ignored
    ("198.51.100.7, 10.0.0.2", 2, "198.51.100.7"),  # two proxies: CDN, then Caddy
    ("2001:db8::1", 1, "2001:db8::1"),
    ("198.51.100.7", 2, None),  # fewer entries than proxies: the header is not ours
    ("", 1, None),
    ("not-an-ip", 1, None),
    ("198.51.100.7:443", 1, None),  # no ports, no guessing
    ("198.51.100.7", 0, None),
])
def test_forwarded_client(header: str, hops: int, expected: str | None) -> None:
    assert forwarded_client(header, hops) == expected


def _seen(settings, hops: int, **meta: str) -> str:
    settings.STRONGROOM_PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **meta)
    seen = []
    ClientAddressMiddleware(lambda r: seen.append(r.META["REMOTE_ADDR"]))(request)
    return seen[0]


def test_middleware_uses_the_proxys_entry_only_when_configured(settings) -> None:
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.66, 198.51.100.7"}
    assert _seen(settings, 1, **forwarded) == "198.51.100.7"
    assert _seen(settings, 0, **forwarded) == "10.0.0.1"  # no proxy: the header is noise
    assert _seen(settings, 1, HTTP_X_FORWARDED_FOR="garbage") == "10.0.0.1"


@pytest.mark.django_db
def test_behind_a_proxy_one_noisy_client_does_not_slow_everyone(settings, monkeypatch):
    """The per-address throttle counts each client, not the proxy they all come through."""
    settings.STRONGROOM_PROXY_HOPS = 1
    settings.STRONGROOM_REDIS_URL = None
    monkeypatch.setattr(throttle, "ADDRESS_FREE", 3)
    victims = [user_make() for _ in range(6)]
    customer = user_make(password=PASSWORD)
    client = Client(REMOTE_ADDR="10.0.0.1")  # every request comes from the proxy

    def sign_in(email: str, password: str, source: str) -> int:
        return client.post("/account/login/", {"username": email, "password": password},
                           secure=True, HTTP_X_FORWARDED_FOR=source).status_code

    codes = [sign_in(v.email, "Summer2024!", "203.0.113.9") for v in victims]
    assert codes[-1] == 429  # the guessing client is slowed down...
    assert sign_in(customer.email, PASSWORD, "198.51.100.20") == 302  # ...nobody else


def _load(tmp_path: Path, **env: str) -> config.Config:
    base = {"STRONGROOM_DATA_DIR": str(tmp_path / "var"), "STRONGROOM_SECRET_KEY": GOOD_KEY,
            "STRONGROOM_ALLOWED_HOSTS": "shop.example.com"}
    return config.load({**base, **env}, dotenv_path=tmp_path / "no.env")


def test_proxy_hops_configuration(tmp_path: Path) -> None:
    assert _load(tmp_path, STRONGROOM_BEHIND_PROXY="1").proxy_hops == 1
    assert _load(tmp_path, STRONGROOM_BEHIND_PROXY="1", STRONGROOM_PROXY_HOPS="2").proxy_hops == 2
    for bad, needle in (({"STRONGROOM_PROXY_HOPS": "1"}, "STRONGROOM_BEHIND_PROXY is off"),
                        ({"STRONGROOM_BEHIND_PROXY": "1", "STRONGROOM_PROXY_HOPS": "0"},
                         "at least 1"),
                        ({"STRONGROOM_BEHIND_PROXY": "1", "STRONGROOM_PROXY_HOPS": "two"},
                         "not a whole number"),
                        ({"STRONGROOM_BEHIND_PROXY": "1", "STRONGROOM_PROXY_HOPS": "9"},
                         "implausible")):
        with pytest.raises(config.ConfigError, match=needle):
            _load(tmp_path, **bad)
