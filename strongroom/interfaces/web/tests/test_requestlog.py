"""Refused requests (bad Host, huge body, too many fields) log one WARNING line each,
without a traceback, and at most a few per minute per kind: anyone can send them, so
they must not be a way to flood the logs (tested through the real middleware stack)."""

import logging

import pytest
from django.test import Client

from strongroom.interfaces.web.requestlog import OneLineRateLimited

pytestmark = pytest.mark.django_db

KINDS = ("DisallowedHost", "RequestDataTooBig", "TooManyFieldsSent")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    """The filter settings.LOGGING attached to the loggers, reset, on a clock we move."""
    fake = FakeClock()
    filters = {f for kind in KINDS
               for f in logging.getLogger(f"django.security.{kind}").filters
               if isinstance(f, OneLineRateLimited)}
    assert len(filters) == 1, "settings.LOGGING must attach the filter to every kind"
    (the_filter,) = filters
    saved = the_filter.clock, the_filter._windows
    the_filter.clock, the_filter._windows = fake, {}
    yield fake
    the_filter.clock, the_filter._windows = saved


def bad_host(client):
    return client.get("/", HTTP_HOST="evil.example:31337", secure=True)


def too_big(client):
    return client.post("/account/login/", data="a=" + "x" * (1024 * 1024 + 10),
                       content_type="application/x-www-form-urlencoded", secure=True)


def too_many_fields(client):
    return client.post("/account/login/", data="&".join(f"f{i}=1" for i in range(300)),
                       content_type="application/x-www-form-urlencoded", secure=True)


def _records(caplog, kind):
    return [r for r in caplog.records if r.name == f"django.security.{kind}"]


@pytest.mark.parametrize(("send", "kind", "status", "words"), [
    (bad_host, "DisallowedHost", 400, "Host header"),
    (too_big, "RequestDataTooBig", 413, "1 MB"),
    (too_many_fields, "TooManyFieldsSent", 413, "form fields"),
])
def test_a_refused_request_is_one_warning_line_without_traceback(clock, caplog, send, kind,
                                                                 status, words):
    client = Client()
    with caplog.at_level(logging.INFO):
        response = send(client)
    assert response.status_code == status
    (record,) = _records(caplog, kind)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and record.exc_text is None
    line = logging.Formatter("%(levelname)s %(name)s %(message)s").format(record)
    assert "\n" not in line and "Traceback" not in line
    assert words in line
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_flood_is_rate_limited_per_kind_with_a_suppressed_count(clock, caplog):
    client = Client()
    with caplog.at_level(logging.INFO):
        for _ in range(25):
            bad_host(client)
        too_big(client)  # another kind has its own allowance
    hosts = _records(caplog, "DisallowedHost")
    assert len(hosts) == 10
    assert len(_records(caplog, "RequestDataTooBig")) == 1

    caplog.clear()
    clock.now += 61
    with caplog.at_level(logging.INFO):
        bad_host(client)
    (summary,) = _records(caplog, "DisallowedHost")
    assert "15 more like it suppressed" in summary.getMessage()


def test_the_attackers_host_header_is_not_written_to_the_log(clock, caplog):
    with caplog.at_level(logging.INFO):
        Client().get("/", HTTP_HOST="x" * 500 + ".evil.example", secure=True)
    (record,) = _records(caplog, "DisallowedHost")
    assert "evil.example" not in record.getMessage()
