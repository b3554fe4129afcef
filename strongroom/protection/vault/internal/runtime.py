"""The process-wide vault: one KMS and one key cache, built from settings on first use.

Built lazily (not at import) so ``manage.py`` commands that never touch personal
data, like ``migrate`` on a fresh install, run before ``keys init``.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db.backends.signals import connection_created

from strongroom.protection.vault.internal.keystore import KeyStore
from strongroom.protection.vault.internal.kms import KMS, LocalKMS

_lock = threading.Lock()
_store: KeyStore | None = None


def kms_from_settings() -> KMS:
    return LocalKMS(
        data_dir=settings.STRONGROOM_DATA_DIR, env_value=getattr(settings, "STRONGROOM_KEK", None)
    )


def keystore() -> KeyStore:
    global _store
    store = _store
    if store is None:
        with _lock:
            if _store is None:
                _store = KeyStore(kms_from_settings())
            store = _store
    return store


def reset() -> None:
    """Forget the KMS and every cached key (settings changed, tests, after shredding)."""
    global _store
    with _lock:
        if _store is not None:
            _store.forget_all()
        _store = None


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STRONGROOM_DATA_DIR", "STRONGROOM_KEK"}:
        reset()


def _sqlite_secure_delete(*, connection: Any, **kwargs: Any) -> None:
    # Crypto-shredding deletes wrapped keys; SQLite would otherwise leave the
    # deleted bytes in free pages of the file (and of any copy of it).
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


def connect_signals() -> None:
    setting_changed.connect(_on_setting_changed, dispatch_uid="vault.setting_changed")
    connection_created.connect(_sqlite_secure_delete, dispatch_uid="vault.secure_delete")
