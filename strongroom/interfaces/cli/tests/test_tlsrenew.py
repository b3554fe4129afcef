"""The ``tls-renew`` job: renews the local server certificate before it expires,
keeps the CA, audits the renewal and asks for a restart; a failure is a high alert."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509

from strongroom.interfaces.cli import jobs
from strongroom.interfaces.cli.tlsrenew import tls_certificate_renew
from strongroom.jobs.registry import jobs_all
from strongroom.protection.alerts.selectors import alerts_open
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.vault.tls import TlsError, tls_ensure, tls_files

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
HOSTS = ["shop.example.com"]


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_job_is_registered_daily() -> None:
    job = jobs_all()["tls-renew"]
    assert job.func is jobs.tls_renew and job.schedule == "17 3 * * *"


def test_renews_within_30_days_of_expiry_keeping_the_ca(tmp_path: Path) -> None:
    tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    files = tls_files(tmp_path)
    ca_before, cert_before = files.ca_cert.read_bytes(), files.cert.read_bytes()

    early = tls_certificate_renew(data_dir=tmp_path, allowed_hosts=HOSTS,
                                  now=NOW + dt.timedelta(days=59))
    assert "nothing to do" in early and files.cert.read_bytes() == cert_before
    assert not AuditEntry.objects.filter(event=AuditEvent.TLS_CERTIFICATE_RENEWED).exists()

    due = NOW + dt.timedelta(days=61)  # 29 days before expiry
    summary = tls_certificate_renew(data_dir=tmp_path, allowed_hosts=HOSTS, now=due)
    assert summary.startswith("renewed (it expires on 2030-04-01)")
    assert files.ca_cert.read_bytes() == ca_before  # same CA: trust is kept
    cert = _cert(files.cert)
    cert.verify_directly_issued_by(_cert(files.ca_cert))
    assert cert.not_valid_after_utc == due + dt.timedelta(days=90)
    assert AuditEntry.objects.filter(event=AuditEvent.TLS_CERTIFICATE_RENEWED).count() == 1
    (alert,) = [a for a in alerts_open() if a.kind == "vault.tls_certificate_renewed"]
    assert "restart `strongroom serve`" in alert.summary and alert.severity == "low"
    # Idempotent: the next day's run changes nothing.
    again = tls_certificate_renew(data_dir=tmp_path, allowed_hosts=HOSTS,
                                  now=due + dt.timedelta(days=1))
    assert "nothing to do" in again
    assert AuditEntry.objects.filter(event=AuditEvent.TLS_CERTIFICATE_RENEWED).count() == 1


def test_no_local_ca_nothing_to_renew(tmp_path: Path) -> None:
    assert "nothing to renew" in tls_certificate_renew(data_dir=tmp_path, allowed_hosts=HOSTS)
    assert not (tmp_path / "tls" / "ca.pem").exists()


def test_failed_renewal_is_a_high_alert(tmp_path: Path) -> None:
    tls_ensure(data_dir=tmp_path, allowed_hosts=HOSTS, now=NOW)
    tls_files(tmp_path).ca_key.unlink()
    with pytest.raises(TlsError, match="ca-key.pem is missing"):
        tls_certificate_renew(data_dir=tmp_path, allowed_hosts=HOSTS,
                              now=NOW + dt.timedelta(days=80))
    (alert,) = [a for a in alerts_open() if a.kind == "vault.tls_renewal_failed"]
    assert alert.severity == "high"


def test_job_uses_the_data_dir_and_allowed_hosts(settings, tmp_path: Path) -> None:
    settings.STRONGROOM_DATA_DIR = tmp_path
    settings.ALLOWED_HOSTS = ["shop.example.org"]
    tls_ensure(data_dir=tmp_path, allowed_hosts=["other.example"], now=NOW)
    assert jobs.tls_renew().startswith("renewed (the host names changed)")
    assert "shop.example.org" in _cert(tls_files(tmp_path).cert).extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
