"""The local CA and server certificate behind `strongroom init` / `serve`
(strongroom.protection.vault.tls)."""

from __future__ import annotations

import datetime as dt
import socket
import stat
from pathlib import Path
from unittest import mock

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from strongroom.protection.vault.tls import (
    TlsError,
    certificate_names,
    server_names,
    tls_ensure,
    tls_files,
)

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
HOSTS = ["shop.example.com", "localhost"]


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _snapshot(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (data_dir / "tls").iterdir()}


def test_creates_ca_and_server_certificate_with_private_permissions(tmp_path: Path) -> None:
    report = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    files = report.files
    assert report.ca_created and report.cert_issued
    assert files.ca_cert == tmp_path / "tls" / "ca.pem"
    assert _mode(tmp_path / "tls") == 0o700
    for path in (files.ca_cert, files.ca_key, files.cert, files.key):
        assert _mode(path) == 0o600, path
    assert not list((tmp_path / "tls").glob(".*.tmp"))


def test_ca_is_a_ten_year_p256_authority_that_signs_only_leaves(tmp_path: Path) -> None:
    files = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW).files
    ca = _cert(files.ca_cert)
    assert isinstance(ca.public_key(), ec.EllipticCurvePublicKey)
    assert ca.public_key().curve.name == "secp256r1"
    common_name = ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name == f"Strongroom Local CA {socket.gethostname()}"
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    lifetime = ca.not_valid_after_utc - ca.not_valid_before_utc
    assert dt.timedelta(days=3649) < lifetime < dt.timedelta(days=3651)


def test_server_certificate_names_lifetime_and_issuer(tmp_path: Path) -> None:
    files = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW).files
    cert = _cert(files.cert)
    cert.verify_directly_issued_by(_cert(files.ca_cert))
    assert set(certificate_names(files.cert)) == {
        "localhost", "127.0.0.1", "::1", "shop.example.com"}
    assert cert.not_valid_after_utc == NOW + dt.timedelta(days=90)
    # Mozilla "intermediate": at most 366 days; we issue 90 (counted from not-before).
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=90, minutes=5)
    assert cert.not_valid_before_utc <= NOW
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)


def test_second_run_keeps_every_file(tmp_path: Path) -> None:
    tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    before = _snapshot(tmp_path)
    report = tls_ensure(data_dir=tmp_path, allowed_hosts=list(reversed(HOSTS)),
                        now=NOW + dt.timedelta(days=50))
    assert not report.ca_created and not report.cert_issued and report.reason == ""
    assert _snapshot(tmp_path) == before


def test_renews_server_certificate_30_days_before_expiry_keeping_the_ca(tmp_path: Path) -> None:
    tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    before = _snapshot(tmp_path)
    later = NOW + dt.timedelta(days=90 - 29)
    report = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=later)
    assert report.cert_issued and not report.ca_created and "expires" in report.reason
    after = _snapshot(tmp_path)
    assert after["ca.pem"] == before["ca.pem"] and after["ca-key.pem"] == before["ca-key.pem"]
    assert after["server.pem"] != before["server.pem"]
    assert _cert(report.files.cert).not_valid_after_utc == later + dt.timedelta(days=90)
    _cert(report.files.cert).verify_directly_issued_by(_cert(report.files.ca_cert))


def test_not_renewed_31_days_before_expiry(tmp_path: Path) -> None:
    tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    before = _snapshot(tmp_path)
    report = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS,
                        now=NOW + dt.timedelta(days=90 - 31))
    assert not report.cert_issued and _snapshot(tmp_path) == before


def test_a_397_day_certificate_from_an_older_version_is_replaced(tmp_path: Path) -> None:
    from strongroom.protection.vault import tls

    with mock.patch.object(tls, "SERVER_LIFETIME", dt.timedelta(days=397)):
        tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    before = _snapshot(tmp_path)
    report = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW + dt.timedelta(days=1))
    assert report.cert_issued and "more than 90 days" in report.reason
    assert _snapshot(tmp_path)["ca.pem"] == before["ca.pem"]
    assert _cert(report.files.cert).not_valid_after_utc == NOW + dt.timedelta(days=91)


def test_renews_when_host_names_change(tmp_path: Path) -> None:
    tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    report = tls_ensure(data_dir=tmp_path, allowed_hosts=["shop.example.net"], now=NOW)
    assert report.cert_issued and report.reason == "the host names changed"
    assert "shop.example.net" in certificate_names(report.files.cert)
    assert "shop.example.com" not in certificate_names(report.files.cert)


def test_new_ca_means_new_server_certificate(tmp_path: Path) -> None:
    files = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW).files
    files.ca_cert.unlink()
    report = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    assert report.ca_created and report.cert_issued
    _cert(files.cert).verify_directly_issued_by(_cert(files.ca_cert))


def test_server_key_that_does_not_match_is_replaced(tmp_path: Path) -> None:
    files = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW).files
    files.key.write_bytes(files.ca_key.read_bytes())  # e.g. a crash between the two writes
    report = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    assert report.cert_issued and "private key" in report.reason


def test_missing_ca_key_is_a_clear_error_when_renewal_is_due(tmp_path: Path) -> None:
    files = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW).files
    files.ca_key.unlink()
    tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)  # nothing due: fine
    with pytest.raises(TlsError, match="ca-key.pem is missing"):
        tls_ensure(data_dir=tmp_path, allowed_hosts=["other.example"], now=NOW)


def test_ca_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    files = tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW).files
    files.ca_key.chmod(0o644)
    with pytest.raises(TlsError, match="readable by other users"):
        tls_ensure(data_dir=tmp_path, allowed_hosts=["other.example"], now=NOW)


def test_corrupt_certificate_is_a_clear_error(tmp_path: Path) -> None:
    files = tls_files(tmp_path)
    tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    files.cert.write_text("not a certificate")
    with pytest.raises(TlsError, match="delete it and run `strongroom init`"):
        tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)


def test_loose_tls_directory_is_tightened(tmp_path: Path) -> None:
    (tmp_path / "tls").mkdir(mode=0o755)
    (tmp_path / "tls").chmod(0o755)
    tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    assert _mode(tmp_path / "tls") == 0o700


@pytest.mark.parametrize(("allowed", "expected_extra"), [
    ([], []),
    (["localhost", "127.0.0.1", "[::1]"], []),
    ([".example.com"], ["example.com", "*.example.com"]),
    (["Shop.Example.COM"], ["shop.example.com"]),
    (["bücher.de"], ["xn--bcher-kva.de"]),
    (["0:0::1", "10.0.0.1"], ["10.0.0.1"]),
    (["*", "bad host", "a..b", "x/y"], []),
])
def test_server_names_from_allowed_hosts(allowed: list[str], expected_extra: list[str]) -> None:
    assert server_names(allowed) == ["localhost", "127.0.0.1", "::1", *expected_extra]
