"""WARNING: recovery-key material. The owner's age key pair that backups are encrypted to.

Threat: a stolen backup (a leaked bucket, a lost disk) and a compromised server. Backups
are encrypted with the age format (pyrage) to the owner's *recipient* (public key), which
is all the running store holds (``<data_dir>/keys/backup-recipient.txt``). The *identity*
(private key) is shown once by ``strongroom backup init`` and kept off the server, so:
* the store can write backups it cannot read: an intruder on the server cannot open old
  backups (to recover data erased since, or keys retired since);
* the key-encryption key and the audit signing key may travel inside the backup, because
  only the identity opens it: a disaster needs the backup and the identity, nothing else;
* ``age -d -i recovery-key.txt payload.tar.gz.age`` opens one without Strongroom.

The identity file carries, as an age comment line, the audit signing public key, so a
restore on a fresh machine can check the manifest signature against a key the owner kept
and not one that came with the (possibly forged) backup.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pyrage

from strongroom.protection.vault.errors import KeyConfigError

RECIPIENT_NAME = "backup-recipient.txt"
_SIGNING_LINE = re.compile(r"^#\s*strongroom-signing-public-key:\s*(\S+)\s*$")


class RecoveryKeyError(Exception):
    """The recovery key is missing, malformed, or does not open this archive."""


def recipient_path(data_dir: Path) -> Path:
    return Path(data_dir) / "keys" / RECIPIENT_NAME


def recipient_load(*, data_dir: Path) -> str | None:
    """The public recipient (``age1…``) backups are encrypted to, or None before init."""
    path = recipient_path(data_dir)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        raise KeyConfigError(f"cannot read the backup recipient {path}") from None
    try:
        pyrage.x25519.Recipient.from_str(text)
    except Exception:  # pyrage raises several types for one meaning: not a recipient
        raise KeyConfigError(f"{path} does not hold an age recipient: run "
                             "`strongroom backup init --replace`") from None
    return text


def recovery_key_create(*, data_dir: Path, signing_public_b64: str, store_name: str,
                        replace: bool = False) -> tuple[str, str]:
    """Make a new recovery key pair; store the recipient; return (identity text, recipient).

    The identity text is returned ONCE for the caller to show and never written here.
    """
    path = recipient_path(data_dir)
    if path.exists() and not replace:
        raise KeyConfigError(f"a recovery key already exists ({path}): backups made so far "
                             "need it; `--replace` makes a new one for future backups")
    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")
    name = " ".join(store_name.split())[:80]
    text = (f"# Strongroom recovery key for {name}, created {now}\n"
            "# Opens every backup made until it is replaced. Keep it OFF the server.\n"
            f"# strongroom-signing-public-key: {signing_public_b64}\n"
            f"# public key: {recipient}\n"
            f"{identity}\n")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(recipient + "\n", encoding="ascii")
    tmp.chmod(0o644)
    os.replace(tmp, path)
    return text, recipient


@dataclass(frozen=True)
class RecoveryIdentity:
    """An opened identity file. Masked repr; refuses pickling (like the vault's key handles)."""

    _identity: object
    recipient: str
    signing_public_b64: str | None

    def __repr__(self) -> str:
        return f"<RecoveryIdentity {self.recipient[:12]}… material=***>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("recovery keys cannot be pickled")


def identity_read(*, path: Path) -> RecoveryIdentity:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise RecoveryKeyError(f"no recovery key file at {path}") from None
    except (OSError, UnicodeDecodeError):
        raise RecoveryKeyError(f"cannot read the recovery key file {path}") from None
    signing = None
    secrets_found = []
    for line in lines:
        match = _SIGNING_LINE.match(line)
        if match:
            signing = match.group(1)
        elif line.strip().startswith("AGE-SECRET-KEY-"):
            secrets_found.append(line.strip())
    if len(secrets_found) != 1:
        raise RecoveryKeyError(f"{path} is not a recovery key file (one AGE-SECRET-KEY- "
                               "line expected)")
    try:
        identity = pyrage.x25519.Identity.from_str(secrets_found[0])
    except Exception:
        raise RecoveryKeyError(f"{path} holds a malformed AGE-SECRET-KEY line") from None
    return RecoveryIdentity(identity, str(identity.to_public()), signing)


def archive_encrypt(*, source: Path, dest: Path, recipient: str) -> None:
    """Encrypt ``source`` to the recipient (age format, streaming)."""
    try:
        pyrage.encrypt_file(str(source), str(dest),
                            [pyrage.x25519.Recipient.from_str(recipient)])
    except Exception as exc:
        dest.unlink(missing_ok=True)
        raise RecoveryKeyError(f"encrypting the backup failed: {type(exc).__name__}") from None


def archive_decrypt(*, source: Path, dest: Path, identity: RecoveryIdentity) -> None:
    """Decrypt an age file; nothing is left at ``dest`` when it fails (one error, no oracle)."""
    try:
        pyrage.decrypt_file(str(source), str(dest), [identity._identity])
    except Exception:
        dest.unlink(missing_ok=True)
        raise RecoveryKeyError(f"the recovery key {identity.recipient[:16]}… does not open "
                               "this backup (another key, or a damaged archive)") from None
