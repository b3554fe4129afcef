"""``strongroom init``: the data directory, the secret key and the local TLS files.

Runs before Django is set up (``strongroom.cli`` calls ``init_main`` directly) because
the settings refuse to load without a secret key, and creating that key is this
command's job. It is idempotent: existing files are kept, only a server certificate
that is due is re-issued.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from strongroom import config
from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.kekfiles import kek_first_ensure
from strongroom.protection.vault.signing import public_key_path, signing_key_ensure
from strongroom.protection.vault.tls import TlsReport, tls_ensure


def init_run(
    *, data_dir: Path, allowed_hosts: list[str], out: TextIO, kek: str | None = None
) -> TlsReport:
    """Create whatever is missing under ``data_dir`` and say what was done."""
    _private_data_dir(data_dir)
    key_path = data_dir / config.SECRET_KEY_FILE
    existed = key_path.exists()
    try:
        config.secret_key_create(data_dir)
    except OSError as exc:
        raise config.ConfigError(f"cannot create {key_path} ({exc.strerror})") from None
    out.write(f"{'Kept' if existed else 'Created'} secret key {key_path}\n")
    _kek(data_dir, kek, out)
    sandbox, made = config.sandbox_credentials_create(data_dir)  # sandbox gateway account
    out.write(f"{'Created' if made else 'Kept'} sandbox gateway credentials {sandbox}\n")
    _audit_signing_key(data_dir, out)

    report = tls_ensure(data_dir=data_dir, allowed_hosts=allowed_hosts)
    if report.ca_created:
        out.write(f"Created local certificate authority {report.files.ca_cert}\n")
    if report.cert_issued:
        out.write(f"Issued server certificate {report.files.cert} ({report.reason})\n")
    else:
        out.write(f"Kept server certificate {report.files.cert}\n")
    out.write(trust_hint(report.files.ca_cert))
    return report


def _kek(data_dir: Path, env_value: str | None, out: TextIO) -> None:
    """The vault's key-encryption key: a 0600 file in <data_dir>/keys unless the
    operator supplies STRONGROOM_KEK (or an external KMS) instead."""
    try:
        kek = kek_first_ensure(data_dir=data_dir, env_value=env_value)
    except KeyConfigError as exc:
        raise config.ConfigError(str(exc)) from None
    if kek.source == "env":
        out.write(f"Using key-encryption key v{kek.version} from STRONGROOM_KEK\n")
    else:
        out.write(f"{'Created' if kek.created else 'Kept'} key-encryption key {kek.path}\n")


def _audit_signing_key(data_dir: Path, out: TextIO) -> None:
    """The Ed25519 key that signs audit checkpoints (vault-held, 0600, never in the DB)."""
    try:
        created = signing_key_ensure(data_dir=data_dir)
    except (KeyConfigError, OSError) as exc:
        raise config.ConfigError(f"audit signing key: {exc}") from None
    out.write(f"{'Created' if created else 'Kept'} audit signing key "
              f"(public key for verifiers: {public_key_path(data_dir)})\n")


def trust_hint(ca_cert: Path, url: str = "https://localhost:8443/") -> str:
    return (
        f"Local CA certificate: {ca_cert}\n"
        "  Trust it in your browser or tools to avoid certificate warnings, e.g.\n"
        f"  curl --cacert {ca_cert} {url}\n"
    )


def init_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="strongroom init",
        description="Create the data directory, the secret key and the local TLS "
        "certificates (keeps existing ones).",
    )
    parser.parse_args(argv)
    settings = config.load_for_init()
    init_run(data_dir=settings.data_dir, allowed_hosts=settings.allowed_hosts, out=sys.stdout,
             kek=settings.kek)
    return 0


def _private_data_dir(data_dir: Path) -> None:
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if data_dir.stat().st_mode & 0o077:
            data_dir.chmod(0o700)  # it holds keys: no other local user may list or read it
    except OSError as exc:
        raise config.ConfigError(
            f"cannot create the data directory {data_dir} ({exc.strerror}): "
            "set STRONGROOM_DATA_DIR to a folder you can write"
        ) from None
