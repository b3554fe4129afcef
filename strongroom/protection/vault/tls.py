"""The store's own local certificate authority and its HTTPS server certificate.

Layout, under ``<data_dir>/tls/`` (mode 0700, every file 0600)::

    ca.pem  ca-key.pem            "Strongroom Local CA <hostname>", ECDSA P-256, 10 years
    server.pem  server-key.pem    localhost, 127.0.0.1, ::1 + allowed hosts, 90 days

Threat: whoever holds ``ca-key.pem`` can mint a certificate for any name that a
machine trusting this CA will accept, so the key never leaves the data directory, is
readable by its owner only, and the CA may sign end-entity certificates only
(``path_length=0``). Server certificates live 90 days (Mozilla's "intermediate"
profile allows at most 366, browsers 398; a short life limits how long a stolen server
key is useful), and are renewed 30 days before they expire: by the daily ``tls-renew``
job (``interfaces/cli/jobs.py``) and by every ``strongroom init`` / ``serve`` start.
``tls_ensure`` is idempotent: it keeps what is still good and re-issues the server
certificate when it nears expiry, lives longer than allowed (one made by an older
version), its names changed, or the CA that signed it was replaced; the CA is kept.
Files are written to a temporary name
and renamed, so a crash never leaves a half-written key or certificate.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from strongroom.config import ConfigError

CA_LIFETIME = dt.timedelta(days=3650)
SERVER_LIFETIME = dt.timedelta(days=90)
RENEW_BEFORE = dt.timedelta(days=30)
BACKDATE = dt.timedelta(minutes=5)  # tolerate a little clock skew between machines
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


class TlsError(ConfigError):
    """The TLS files cannot be used or created; the message says how to fix it."""


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    ca_key: Path
    cert: Path
    key: Path


@dataclass(frozen=True)
class TlsReport:
    files: TlsFiles
    ca_created: bool
    cert_issued: bool
    reason: str  # why the server certificate was (re)issued, or "" when kept


def tls_files(data_dir: Path) -> TlsFiles:
    base = Path(data_dir) / "tls"
    return TlsFiles(
        ca_cert=base / "ca.pem",
        ca_key=base / "ca-key.pem",
        cert=base / "server.pem",
        key=base / "server-key.pem",
    )


def server_names(allowed_hosts: list[str]) -> list[str]:
    """The certificate's names: the loopback names plus Django ALLOWED_HOSTS entries.

    ``.example.com`` (Django's "domain and subdomains") becomes ``example.com`` and
    ``*.example.com``; ``[::1]`` loses its brackets; international names become their
    ASCII (IDNA) form; ``*`` and entries that are not host names are skipped (a
    certificate cannot hold them).
    """
    names = list(LOCAL_NAMES)
    for raw in allowed_hosts:
        host = raw.strip().lower().removeprefix("[").removesuffix("]")
        candidates = [host[1:], f"*{host}"] if host.startswith(".") else [host]
        for candidate in candidates:
            name = _canonical(candidate)
            if name is not None and name not in names:
                names.append(name)
    return names


def tls_ensure(
    *, data_dir: Path, allowed_hosts: list[str], now: dt.datetime | None = None
) -> TlsReport:
    """Create the CA and server certificate if missing; re-issue the certificate if due."""
    now = now or dt.datetime.now(dt.UTC)
    files = tls_files(data_dir)
    _private_dir(files.ca_cert.parent)
    names = server_names(allowed_hosts)

    ca_created = False
    if not files.ca_cert.exists() or _expires_soon(_load_cert(files.ca_cert), now):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = _ca_certificate(ca_key, now)
        _write_private(files.ca_key, _key_pem(ca_key))
        _write_private(files.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM))
        ca_created = True
    ca_cert = _load_cert(files.ca_cert)

    reason = "" if ca_created else _reissue_reason(files, ca_cert, names, now)
    if ca_created:
        reason = "new local CA"
    if reason:
        if not files.ca_key.exists():
            raise TlsError(
                f"{files.ca_key} is missing, so the server certificate cannot be renewed: "
                f"delete {files.ca_cert} and run `strongroom init` to create a new local CA"
            )
        ca_key = _load_key(files.ca_key)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _server_certificate(key, names, ca_cert, ca_key, now)
        _write_private(files.key, _key_pem(key))
        _write_private(files.cert, cert.public_bytes(serialization.Encoding.PEM))
    return TlsReport(files=files, ca_created=ca_created, cert_issued=bool(reason), reason=reason)


def certificate_expiry(path: Path) -> dt.datetime:
    """When a certificate file stops being valid (UTC)."""
    return _load_cert(path).not_valid_after_utc


def certificate_names(path: Path) -> list[str]:
    """The DNS names and IP addresses a certificate file is valid for."""
    return _names_of(_load_cert(path))


def _reissue_reason(
    files: TlsFiles, ca_cert: x509.Certificate, names: list[str], now: dt.datetime
) -> str:
    if not files.cert.exists() or not files.key.exists():
        return "no server certificate yet"
    cert = _load_cert(files.cert)
    if _expires_soon(cert, now):
        return f"it expires on {cert.not_valid_after_utc:%Y-%m-%d}"
    if cert.not_valid_after_utc - cert.not_valid_before_utc > SERVER_LIFETIME + BACKDATE:
        return f"it is valid for more than {SERVER_LIFETIME.days} days"
    if set(_names_of(cert)) != set(names):
        return "the host names changed"
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return "it was not signed by the current local CA"
    if _load_key(files.key).public_key() != cert.public_key():
        return "it does not match its private key"
    return ""


def _ca_certificate(key: ec.EllipticCurvePrivateKey, now: dt.datetime) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Strongroom"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Strongroom Local CA {socket.gethostname()}"),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(_serial())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey,
    names: list[str],
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    now: dt.datetime,
) -> x509.Certificate:
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    not_after = min(now + SERVER_LIFETIME, ca_cert.not_valid_after_utc)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(_serial())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([_san(name) for name in names]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _canonical(name: str) -> str | None:
    """An IP address in its short form, or a DNS name (optionally ``*.``) in ASCII."""
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        pass
    wildcard = name.startswith("*.")
    try:
        ascii_name = name.removeprefix("*.").encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = ascii_name.split(".")
    if not all(label and all(c.isalnum() or c == "-" for c in label) for label in labels):
        return None
    return f"*.{ascii_name}" if wildcard else ascii_name


def _san(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _names_of(cert: x509.Certificate) -> list[str]:
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [
        *sans.get_values_for_type(x509.DNSName),
        *(str(ip) for ip in sans.get_values_for_type(x509.IPAddress)),
    ]


def _expires_soon(cert: x509.Certificate, now: dt.datetime) -> bool:
    return cert.not_valid_after_utc - now < RENEW_BEFORE


def _serial() -> int:
    return int.from_bytes(secrets.token_bytes(16), "big") >> 1  # positive, 127 random bits


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_cert(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise TlsError(
            f"cannot read the certificate {path} ({exc}): delete it and run `strongroom init`"
        ) from None


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    if path.stat().st_mode & 0o077:
        raise TlsError(f"{path} is readable by other users: run `chmod 600 {path}`")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise TlsError(f"cannot read the private key {path} ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TlsError(
            f"{path} is not an ECDSA key: delete the tls folder and run `strongroom init`"
        )
    return key


def _private_dir(path: Path) -> None:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError as exc:
        raise TlsError(
            f"cannot create {path} ({exc.strerror}): check the permissions of STRONGROOM_DATA_DIR"
        ) from None


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TlsError(f"cannot write {path} ({exc.strerror})") from None
