"""The encrypted-field attribute (a data descriptor) and the row stamp it reads.

A ciphertext's associated data names its row, but ``from_db_value`` cannot see the row.
So a column is loaded as ``Sealed`` bytes and opened here, on first read, with the row
the instance was loaded as (``ROW``, stamped by ``rowstamp``). An opened value is kept
as ``(OPENED, value, sealed, row)`` so that saving an unchanged row writes the same
ciphertext back, and a value copied to another row (pk or subject edited) is re-sealed
instead (``vault.fields.EncryptedField.pre_save``).

Only the vault's field module and its row-stamping code use these names.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Final
from uuid import UUID

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from strongroom.protection.vault import signals
from strongroom.protection.vault.errors import DecryptionError
from strongroom.protection.vault.internal import codecs, envelope, runtime
from strongroom.protection.vault.internal.envelope import FORMAT_V1, FORMAT_V2, EnvelopeError
from strongroom.protection.vault.values import Sealed

ROW: Final = "_vault_row"  # the instance __dict__ key of the row stamp
_monotonic = time.monotonic  # KeyStore.hot expiries are on this clock


# A decrypted value is kept in the instance as ``(OPENED, value, sealed, row)``: a plain
# tuple tagged by this private sentinel (no code outside the vault can produce it), so
# saving an unchanged row writes the same ciphertext back. A plain tuple rather than a
# tuple subclass because it is built on every first read, and a subclass costs 3x more.
OPENED: Final = object()
MISSING: Final = object()  # "not in the instance's __dict__" (a deferred field)
NO_ROW: Final = (None, None, b"", -1)  # never matches a cached key's subject


def is_opened(value: Any) -> bool:
    return type(value) is tuple and len(value) == 4 and value[0] is OPENED


def decryption_failed(instance: models.Model, field: models.Field) -> None:
    """Announce a failed decryption (tampering, a wrong key) for the audit log. A broken
    receiver must not turn the one DecryptionError into something else."""
    try:
        signals.decryption_failed.send(
            sender=type(instance), model=instance._meta.label, field=field.name,
            pk=str(instance.pk), subject_id=getattr(instance, field.subject_attname, None),
        )
    except Exception:  # noqa: BLE001 - logged; the caller still gets DecryptionError
        logging.getLogger(__name__).exception("could not record a decryption failure")


def as_uuid(value: Any) -> Any:
    if value is None or type(value) is UUID:
        return value
    try:
        return UUID(str(value))
    except ValueError:
        return value


def row_aad(pk: Any) -> bytes:
    """The row part of a ciphertext's associated data (the pk as ``_row`` binds it)."""
    pk = as_uuid(pk)
    return pk.bytes if type(pk) is UUID else str(pk).encode()


def row_of(pk: Any, subject_id: Any) -> tuple[Any, Any, bytes, int | None]:
    """(pk, subject id, pk as AAD bytes, subject id as int for the read hot path)."""
    pk, subject_id = as_uuid(pk), as_uuid(subject_id)
    return (
        pk,
        subject_id,
        pk.bytes if type(pk) is UUID else str(pk).encode(),
        subject_id.int if type(subject_id) is UUID else None,
    )


class PyEncryptedAttribute(DeferredAttribute):
    """Data descriptor: decrypts on first read, keeps plaintext assignments as-is.

    ``__get__`` is the hot path of every encrypted read, so the cached-key case is
    folded into it (no further calls): the header's key id is the key cache's key
    (``KeyStore.hot``), the key must belong to the row's subject and be younger than
    the cache's age limit (as in ``KeyStore.key_for_decrypt``), and the associated
    data is header || column context || row pk (as in ``envelope.open_``). Everything
    else (cold cache, erased subject, malformed bytes) goes through ``field.open``.

    The pure-Python read path. ``EncryptedAttribute`` is this class with the compiled
    warm-cache branch (``internal/_fastread.c``) in front, where it is built and enabled;
    that branch hands every other case to ``slow_get``, which is this ``__get__``.
    """

    def __init__(self, field: models.Field) -> None:
        super().__init__(field)
        self._attname = field.attname
        self._context = b""  # set by EncryptedField.contribute_to_class, once it is known
        codec = field.codec  # type: ignore[attr-defined]
        self._decode = bytes.decode if codec is codecs.TextCodec else codec.decode

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        if instance is None:
            return self
        data = instance.__dict__
        value = data.get(self._attname, MISSING)
        if type(value) is Sealed:
            store = runtime._store
            row = data.get(ROW, NO_ROW)
            head = value[:9]
            entry = store.hot.get(value[1:9]) if store is not None else None
            if entry is not None and entry[0] == row[3] and _monotonic() <= entry[2]:
                try:
                    plain = entry[1].decrypt(value[9:21], value[21:], head + self._context + row[2])  # type: ignore[attr-defined]
                    if head[0] == FORMAT_V2:
                        plain = envelope.unpad(plain)
                        opened = None if plain is None else self._decode(plain)
                    elif head[0] == FORMAT_V1:
                        opened = self._decode(plain)
                    else:
                        raise ValueError("unknown format")
                except (InvalidTag, ValueError, TypeError, EnvelopeError):
                    decryption_failed(instance, self.field)
                    raise DecryptionError() from None
                data[self._attname] = (OPENED, opened, value, row)
                return opened
            return self.field.open(instance, value)  # type: ignore[attr-defined]
        if type(value) is tuple and len(value) == 4 and value[0] is OPENED:
            return value[1]
        if value is MISSING:  # deferred: let Django load it
            value = super().__get__(instance, cls)
            if type(value) is Sealed:
                return self.field.open(instance, value)  # type: ignore[attr-defined]
            if is_opened(value):
                return value[1]
        return value

    slow_get = __get__

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


def _fastread_module() -> Any:
    """The compiled read path, or None: not built (no C compiler at install) or turned
    off (``STRONGROOM_VAULT_SPEEDUPS=off``, to run the suite on the pure-Python path)."""
    if not getattr(settings, "STRONGROOM_VAULT_SPEEDUPS", True):
        return None
    try:  # imported here: the extension is optional, and only read when settings allow it
        from strongroom.protection.vault.internal import _fastread
    except ImportError:
        return None
    _fastread.configure(Sealed, OPENED, ROW, runtime)
    return _fastread


_fastread = _fastread_module()

if _fastread is not None:

    class EncryptedAttribute(_fastread.FastAttribute, PyEncryptedAttribute):  # type: ignore[misc,name-defined]
        """``PyEncryptedAttribute`` with the compiled warm-cache read in front (its C
        ``__get__`` comes first in the MRO and calls ``slow_get`` for everything else)."""

else:
    EncryptedAttribute = PyEncryptedAttribute  # type: ignore[misc]

FAST_READ: Final = EncryptedAttribute is not PyEncryptedAttribute
