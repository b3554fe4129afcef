"""The online feed through the real HTTP client (requests) against a fake OSV API on
127.0.0.1: the internet faked at the network edge, nothing mocked on our side."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from strongroom.protection.posture import services
from strongroom.protection.posture.errors import NoAdvisoryData
from strongroom.protection.posture.models import ScanRun

from .conftest import FIXTURE_EXPORT

pytestmark = pytest.mark.django_db
ADVISORY = json.loads((FIXTURE_EXPORT / "PYSEC-TEST-0001.json").read_text())


class FakeOsv(BaseHTTPRequestHandler):
    mode = "ok"
    queries: list = []

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).queries.append(body)
        if self.path != "/v1/querybatch":
            return self._send(404, b"{}")
        if self.mode == "error":
            return self._send(503, b'{"message": "unavailable"}')
        if self.mode == "garbage":
            return self._send(200, b"<html>captive portal</html>", "text/html")
        results = []
        for q in body["queries"]:
            name = q["package"]["name"]
            if name == "django" and self.mode == "paged" and "page_token" not in q:
                results.append({"vulns": [], "next_page_token": "p2"})
            elif name == "django":
                results.append({"vulns": [{"id": ADVISORY["id"], "modified": "x"}]})
            else:
                results.append({})
        return self._send(200, json.dumps({"results": results}).encode())

    def do_GET(self) -> None:  # noqa: N802
        if self.path == f"/v1/vulns/{ADVISORY['id']}":
            return self._send(200, json.dumps(ADVISORY).encode())
        return self._send(404, b'{"message": "not found"}')


@pytest.fixture
def fake_osv() -> Iterator[tuple[str, type[FakeOsv]]]:
    handler = type("Handler", (FakeOsv,), {"mode": "ok", "queries": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_online_scan_asks_the_api_and_matches_like_offline(fake_osv):
    url, handler = fake_osv
    report = services.vulnerability_scan_run(source=url)
    assert [(m.package, m.advisory.id, m.fixed) for m in report.matches] == [
        ("django", "PYSEC-TEST-0001", "99.0")]
    [batch] = handler.queries
    names = {q["package"]["name"] for q in batch["queries"]}
    assert {"django", "requests", "cryptography"} <= names
    assert all(q["package"]["ecosystem"] in ("PyPI", "npm") for q in batch["queries"])
    assert report.run.ok and report.run.source == url


def test_paged_answers_are_followed(fake_osv):
    url, handler = fake_osv
    handler.mode = "paged"
    report = services.vulnerability_scan_run(source=url)
    assert [m.advisory.id for m in report.matches] == ["PYSEC-TEST-0001"]
    assert handler.queries[1]["queries"] == [
        {**next(q for q in handler.queries[0]["queries"]
                if q["package"]["name"] == "django"), "page_token": "p2"}]


@pytest.mark.parametrize("mode", ["error", "garbage"])
def test_a_broken_feed_is_no_data_not_zero_findings(fake_osv, mode):
    url, handler = fake_osv
    handler.mode = mode
    with pytest.raises(NoAdvisoryData):
        services.vulnerability_scan_run(source=url)
    assert not ScanRun.objects.get().ok


def test_an_unreachable_feed_is_no_data():
    with socket.socket() as probe:  # a port free a moment ago, nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NoAdvisoryData, match="could not be reached"):
        services.vulnerability_scan_run(source=f"http://127.0.0.1:{port}")
