"""What an encrypted field holds before and after it is opened (public types).

``Sealed`` is a ciphertext as the database returned it, ``Opaque`` a fixture's ciphertext
an instance carries but never opens, ``ERASED`` what a crypto-shredded subject's fields
read as. ``opaque_from_string`` parses the dump spelling ``"vault1:<base64>"`` strictly.
"""

from __future__ import annotations

import base64
from typing import Final

from django.core.exceptions import ValidationError

from strongroom.protection.vault.internal import envelope
from strongroom.protection.vault.internal.envelope import EnvelopeError


class Erased:
    """What an encrypted field reads as once its subject is crypto-shredded."""

    __slots__ = ()
    _instance: Erased | None = None

    def __new__(cls) -> Erased:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __str__(self) -> str:
        return "[erased]"

    def __repr__(self) -> str:
        return "ERASED"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "ERASED"


ERASED: Final = Erased()


class Sealed(bytes):
    """A ciphertext as stored; repr hides the bytes (they are not secret, just noise)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<Sealed {len(self)} bytes>"

    __str__ = __repr__


class Opaque(Sealed):
    """A ciphertext an instance carries but never opens: its own row is not known here.

    ``to_python`` makes one from a fixture's ``"vault1:<base64>"`` value. Reading the
    attribute gives the Opaque itself (not plaintext), and every save writes it byte for
    byte. Fail-closed by construction: the associated data names the key id, the column
    and the row pk, and the key must belong to the row's subject, so on any other row or
    column it reads as ``DecryptionError`` once loaded from the database, never as another
    row's value. (A distinct type because the descriptor decrypts exact ``Sealed`` values
    on access, and Django's raw fixture save reads the attribute.)
    """

    __slots__ = ()


# How value_to_string writes a ciphertext in a dump: the prefix names that encoding (v1 of
# the dump format), the ciphertext's own first byte its format version (1 or 2).
CIPHERTEXT_PREFIX: Final = "vault1:"
_CIPHERTEXT_TYPES: Final = (Sealed, Opaque)


def opaque_from_string(text: str) -> Opaque:
    """Strict: base64 without whitespace or stray characters, in its one canonical
    spelling, of something shaped like a ciphertext (format 1 or 2). A malformed value is a
    ValidationError (``loaddata`` reports it and rolls back), never a plaintext store."""
    encoded = text[len(CIPHERTEXT_PREFIX):]
    try:
        blob = base64.b64decode(encoded, validate=True)
        envelope.key_id_of(blob)  # format version and minimum length
    except (ValueError, EnvelopeError):  # binascii.Error is a ValueError
        blob = None
    if blob is None or base64.b64encode(blob).decode("ascii") != encoded:
        raise ValidationError(
            "Not a valid encrypted value: %(prefix)s must be followed by the base64 of a "
            "vault ciphertext, exactly as dumpdata writes it.",
            code="invalid_ciphertext",
            params={"prefix": CIPHERTEXT_PREFIX},
        )
    return Opaque(blob)

