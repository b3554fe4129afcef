"""Password policy: length by role, no composition rules, common/personal/weak refused,
and the optional breached-password check against a fake range API on 127.0.0.1."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.contrib.auth import get_user_model

from strongroom.protection.accounts.passwords import password_verdict

pytestmark = pytest.mark.django_db


def _person(staff=False):
    return get_user_model()(email="cora.customer@example.test", full_name="Cora Customer",
                            is_staff=staff)


def _errors(password, user=None):
    return " ".join(password_verdict(password=password, user=user or _person()).errors)


def test_customers_need_ten_characters_and_no_composition_rules():
    assert "at least 10" in _errors("tab lamp")
    assert _errors("meadow tractor violin") == ""  # lower-case words only: fine
    assert _errors("x" * 64 + " plum sofa kettle") == ""  # long passwords welcome


def test_staff_need_twelve():
    assert "at least 12" in _errors("otter gravy", _person(staff=True))
    assert _errors("otter gravy lantern", _person(staff=True)) == ""


def test_customer_minimum_is_configurable_but_never_below_eight(settings):
    from strongroom import config

    settings.STRONGROOM_ACCOUNTS = config.AccountsConfig(customer_password_min=14)
    assert "at least 14" in _errors("meadow tract")
    with pytest.raises(config.ConfigError):
        config._accounts({"STRONGROOM_CUSTOMER_PASSWORD_MIN": "6"})


@pytest.mark.parametrize("password", [
    "password123", "qwertyuiop", "12345678901234", "CoraCustomer2024",
    "cora.customer@example.test", "strongroom demo store", "Strongroom-Demo-Store-1",
])
def test_common_weak_and_personal_passwords_are_refused(password):
    assert _errors(password)


class _RangeApi(BaseHTTPRequestHandler):
    breached: set[str] = set()

    def do_GET(self):  # noqa: N802
        prefix = self.path.rsplit("/", 1)[-1].upper()
        lines = [f"{h[5:]}:42" for h in self.breached if h.startswith(prefix)]
        lines.append("0" * 35 + ":0")  # padding, as the real API adds
        body = "\r\n".join(lines).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        type(self).seen.append(self.path)

    def log_message(self, *args):
        pass


@pytest.fixture
def range_api():
    _RangeApi.seen = []
    server = HTTPServer(("127.0.0.1", 0), _RangeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/range/"
    server.shutdown()


def _enable(settings, url):
    from strongroom import config

    settings.STRONGROOM_ACCOUNTS = config.AccountsConfig(breached_password_check=True,
                                                         breached_password_api=url)


def test_breached_password_refused_and_only_a_prefix_leaves(settings, range_api):
    leaked = "violet harbour engine"
    _RangeApi.breached = {hashlib.sha1(leaked.encode()).hexdigest().upper()}  # noqa: S324
    _enable(settings, range_api)
    assert "data breach" in _errors(leaked)
    assert _errors("another quiet harbour engine") == ""
    assert all(len(path.rsplit("/", 1)[-1]) == 5 for path in _RangeApi.seen)


def test_breach_check_is_off_by_default(settings):
    assert settings.STRONGROOM_ACCOUNTS.breached_password_check is False


def test_unreachable_breach_service_fails_open_with_a_notice(settings):
    _enable(settings, "http://127.0.0.1:9/range/")  # nothing listens on the discard port
    verdict = password_verdict(password="violet harbour engine", user=_person())
    assert verdict.errors == [] and "could not check" in verdict.notices[0]


def test_password_change_page_shows_the_fail_open_notice(settings, client, customer):
    from .conftest import PASSWORD, login

    _enable(settings, "http://127.0.0.1:9/range/")
    login(client, customer.email)
    response = client.post("/account/password/", {
        "current_password": PASSWORD, "new_password": "violet harbour engine",
        "new_password_confirm": "violet harbour engine"}, follow=True)
    assert "could not check your password against known data breaches" in (
        response.content.decode())


def test_pages_carry_the_strength_meter_under_the_csp(client):
    html = client.get("/account/signup/").content.decode()
    assert 'data-strength="password-strength"' in html and 'id="password-strength"' in html
    assert "zxcvbn" in html and "<script>" not in html and "style=" not in html
    for tag in [t for t in html.split("<script")[1:]]:
        assert 'nonce="' in tag.split(">")[0]
