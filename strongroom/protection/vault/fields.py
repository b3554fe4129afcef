"""Model fields that encrypt under the owning subject's data key.

How it works (and why): ``from_db_value`` cannot see the row, but the associated
data must name the row. So the column value is loaded as an opaque ``Sealed``
bytes object and decrypted lazily by the model attribute (a data descriptor,
``internal/descriptor.py``) on first access, using the instance's pk and subject.
A decrypted value remembers the ciphertext and the row it was sealed for, so saving
an unchanged row writes the same ciphertext back instead of re-encrypting.

Requirements on a model (enforced by ``vault.E003``): a UUID primary key with a
Python-side default (the AAD needs the pk before INSERT) and a ForeignKey to
``vault.Subject`` named by ``subject_field`` (default ``"subject"``).

Threat notes:
* Plaintext must never reach SQL: lookups on an encrypted field and
  ``QuerySet.bulk_update``/``update`` with plaintext raise ``UnsupportedOperation``
  rather than store or compare cleartext. Use a ``BlindIndexField`` to look up.
* ``dumpdata`` writes ciphertext (``"vault1:<base64>"``), never plaintext, and
  ``loaddata`` writes it back byte for byte (see ``Opaque``): its associated data binds
  it to its row, so a restored value that was moved, edited or put on another row
  fails closed (``DecryptionError``) when read. Plaintext in a fixture (dev data) is
  encrypted as it is saved. The data keys travel in the same dump, wrapped by the KEK:
  a dump restores only where that KEK is.
* The column hides length and presence (ciphertext format 2, ``internal/envelope.py``):
  values are padded to length buckets, and a ``None`` in a nullable field is stored as
  an encrypted NULL marker, not as SQL NULL (so ``field__isnull`` cannot tell them apart;
  nothing in the store may filter on it). Format 1 values (and NULL columns) written
  before stay readable until ``keys rotate --reencrypt`` rewrites them.

The warm-cache read (key cached, row stamped) is compiled where a C compiler was found
at install (``internal/_fastread.c``, see ``EncryptedAttribute``): the same checks, in C,
with every other case handed to the Python ``__get__``. ``STRONGROOM_VAULT_SPEEDUPS=off``
turns it off.
"""

from __future__ import annotations

import base64
from functools import cached_property
from typing import Any, ClassVar

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save

from strongroom.protection.vault.errors import (
    DecryptionError,
    SubjectErasedError,
    UnsupportedOperation,
)
from strongroom.protection.vault.internal import blindindex, codecs, descriptor, envelope, rowstamp
from strongroom.protection.vault.internal.envelope import EnvelopeError
from strongroom.protection.vault.internal.keystore import ERASED_KEY
from strongroom.protection.vault.internal.runtime import keystore
from strongroom.protection.vault.values import (
    CIPHERTEXT_PREFIX,
    ERASED,
    Erased,
    Opaque,
    Sealed,
    opaque_from_string,
)

_CIPHERTEXT_TYPES = (Sealed, Opaque)
FAST_READ = descriptor.FAST_READ  # True where the compiled read path is in use




class EncryptedField(models.Field):
    """Base class; subclasses pick a codec and a form field."""

    descriptor_class = descriptor.EncryptedAttribute
    vault_column: ClassVar[str] = rowstamp.ENCRYPTED
    codec: Any = codecs.TextCodec
    description = "Encrypted (AES-256-GCM, per-subject key)"

    def __init__(self, *args: Any, subject_field: str = "subject", **kwargs: Any) -> None:
        self.subject_field = subject_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.subject_field != "subject":
            kwargs["subject_field"] = self.subject_field
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BinaryField"  # BLOB on SQLite, bytea on PostgreSQL

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.context = envelope.field_context(cls._meta.label, self.name)
        attribute = cls.__dict__.get(self.attname)
        if isinstance(attribute, descriptor.EncryptedAttribute):
            attribute._context = self.context
        if not cls._meta.abstract:
            rowstamp.stamp_rows_on_load(cls)
            pre_save.connect(
                rowstamp.raw_save_prepare, sender=cls, weak=False, dispatch_uid="vault.raw_save"
            )

    # --- the row this value belongs to ---------------------------------------------------

    @cached_property
    def subject_attname(self) -> str:
        return self.model._meta.get_field(self.subject_field).attname

    def row(self, instance: models.Model) -> tuple[Any, Any, bytes, int | None]:
        """(pk, subject id, pk as AAD bytes) of the row as it is now."""
        return descriptor.row_of(instance.pk, getattr(instance, self.subject_attname))

    # --- decrypt / encrypt -----------------------------------------------------------------

    def open(self, instance: models.Model, sealed: Sealed) -> Any:
        """Decrypt ``sealed`` for ``instance`` (the full path; see EncryptedAttribute)."""
        data = instance.__dict__
        row = data.get(descriptor.ROW) or self.row(instance)
        try:
            key = keystore().key_for_decrypt(envelope.key_id_of(sealed), row[1])
            if key is ERASED_KEY:
                value = ERASED
            else:
                plain = envelope.open_(key, sealed, self.context, row[2])  # type: ignore[arg-type]
                value = None if plain is None else self.codec.decode(plain)
        except (EnvelopeError, ValueError, TypeError, AttributeError, DecryptionError):
            # Bad bytes or row, or no key of this subject under that id (a ciphertext moved
            # to another customer's row, an edited key id, a key that will not unwrap).
            descriptor.decryption_failed(instance, self)
            raise DecryptionError() from None
        data[self.attname] = (descriptor.OPENED, value, sealed, row)
        return value

    def seal(
        self, value: Any, row: tuple[Any, Any, bytes], *, key: tuple[int, Any] | None = None
    ) -> Sealed:
        """Encrypt for ``row`` under ``key`` (id, Key) or the subject's active key.

        ``None`` becomes the encrypted NULL marker (format 2)."""
        pk, subject_id, pk_bytes = row[:3]
        if pk is None or subject_id is None:
            raise UnsupportedOperation(
                f"{self.model._meta.label}.{self.name}: the row needs its pk and subject "
                "before an encrypted field can be saved"
            )
        key_id, key = key or keystore().key_for_encrypt(subject_id)
        plain = None if value is None else self.codec.encode(value)
        return Sealed(envelope.seal(key, key_id, plain, self.context, pk_bytes))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        """The ciphertext to write for the row as it is now (pk, subject).

        * Plaintext: sealed for the row.
        * Opened through this instance: the same ciphertext if the row is unchanged,
          else re-sealed for the new row.
        * ``Sealed`` loaded but unread: its origin row is the ``_vault_row`` stamp. Same
          row: written back. Another row (a loaded row copied to a new pk, or moved to
          another subject): opened *for its origin row* and re-sealed for the new one, as
          writing it unchanged would leave a value that no longer decrypts (data loss).
          Without a stamp (put there by code, or loaded with its pk or subject deferred)
          it is opened for the row as it is now, so it is only written if it belongs there.
        * ``None``: in a nullable field, an encrypted NULL marker (``_null_marker``).
        * ``Opaque`` (a fixture's ciphertext): written as it is. Its origin row is not
          known, and need not be: the fixture names the row, and the associated data
          holds the ciphertext to that claim. On its own row it reads back; on any other
          row, column or subject (an edited fixture, a pk changed before saving) it reads
          as DecryptionError, never as someone else's value. Opening it here would add
          nothing but a need for the data keys (which a fixture may load after the rows),
          and opening it for one row to seal it for another is exactly the move the
          associated data exists to stop, so an Opaque is never opened to be re-sealed.
        """
        data = model_instance.__dict__
        value = data.get(self.attname)
        if value is None:
            return self._null_marker(model_instance)
        kind = type(value)
        if kind is Opaque:
            return value
        row = self.row(model_instance)
        if descriptor.is_opened(value):
            if value[3][:2] == row[:2]:
                return value[2]  # unchanged, same row: keep the ciphertext
            value = value[1]
        elif kind is Sealed:
            if (data.get(descriptor.ROW) or (None, None))[:2] == row[:2]:
                return value
            value = self.open(model_instance, value)
        if value is ERASED:
            raise SubjectErasedError("erased data cannot be copied to another row")
        sealed = self.seal(value, row)
        data[self.attname] = (descriptor.OPENED, value, sealed, row)
        return sealed

    def _null_marker(self, model_instance: models.Model) -> Sealed | None:
        """What a ``None`` is stored as: an encrypted NULL marker in a nullable field, so
        the column does not show which rows have no value. SQL NULL where there is no key
        to seal with: a non-null field (the database refuses it, as before), a row without
        its subject, or an erased subject (nothing of theirs is readable any more)."""
        if not self.null:
            return None
        row = self.row(model_instance)
        if row[0] is None or row[1] is None:
            return None
        try:
            sealed = self.seal(None, row)
        except SubjectErasedError:
            return None
        model_instance.__dict__[self.attname] = (descriptor.OPENED, None, sealed, row)
        return sealed

    # --- the database side: only ciphertext passes ---------------------------------------------

    def get_lookup(self, lookup_name: str) -> Any:
        # ``iexact``/``contains``/... would compare ciphertext and silently match nothing.
        if lookup_name not in {"exact", "isnull", "in"}:
            raise UnsupportedOperation(
                f"{self.model._meta.label}.{self.name} is encrypted: `__{lookup_name}` cannot "
                "work on it (use a BlindIndexField lookup)"
            )
        return super().get_lookup(lookup_name)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Sealed | None:
        return None if value is None else Sealed(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is None or type(value) in _CIPHERTEXT_TYPES:
            return value
        raise UnsupportedOperation(
            f"{self.model._meta.label}.{self.name} is encrypted: it cannot be compared or "
            "written in SQL (use Model.save(), bulk_create or a BlindIndexField lookup)"
        )

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = value if prepared else self.get_prep_value(value)
        return None if value is None else connection.Database.Binary(value)

    # --- serialization (dumpdata / loaddata): ciphertext in, ciphertext out -------------------

    def value_from_object(self, obj: models.Model) -> Sealed | None:
        """The stored ciphertext, never the plaintext: what serializers read.

        Django's serializer writes a value of a "protected" type (date, int, float) as it
        is, without ``value_to_string``: returning plaintext here put every encrypted date,
        and JSON numbers, into ``dumpdata`` in clear. Not decrypting also means a dump
        needs no data key and copies a tampered or erased row as it is. (``model_to_dict``
        reads this too: a form over encrypted fields must be given plaintext initial data.)
        A ciphertext sealed for another row than the instance's is refused, not written.
        """
        return rowstamp.stored_ciphertext(self, obj)

    def value_to_string(self, obj: models.Model) -> str | None:
        sealed = self.value_from_object(obj)
        if sealed is None:
            return None
        return CIPHERTEXT_PREFIX + base64.b64encode(sealed).decode("ascii")

    def to_python(self, value: Any) -> Any:
        """``"vault1:<base64>"`` (as ``value_to_string`` writes it) becomes an ``Opaque``
        ciphertext, checked for form but not opened (see ``pre_save``); anything else is
        plaintext, converted by ``plain_to_python`` and encrypted when saved. The prefix is
        therefore reserved: a plain string that starts with it cannot come from a fixture."""
        if value is None or isinstance(value, Sealed | Erased):
            return value
        if isinstance(value, str) and value.startswith(CIPHERTEXT_PREFIX):
            return opaque_from_string(value)
        return self.plain_to_python(value)

    def plain_to_python(self, value: Any) -> Any:
        return value

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        # ``to_python`` also runs in ``Field.clean`` (ModelForms, ``full_clean``) on what a
        # person typed. Someone who typed "vault1:..." into a name field would get bytes of
        # their choosing stored as a ciphertext (one copied from another row, say): it fails
        # closed, but as a planted DecryptionError (and audit alert) on every read. Only the
        # deserializer, which calls ``to_python`` without ``clean``, may produce an Opaque.
        if isinstance(value, Sealed):
            raise ValidationError(
                "An encrypted value cannot be entered here; enter the plain value.",
                code="ciphertext_not_accepted",
            )
        super().validate(value, model_instance)




class EncryptedCharField(EncryptedField):
    empty_strings_allowed = True

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)
        if max_length is not None:
            self.validators.append(validators.MaxLengthValidator(max_length))

    def plain_to_python(self, value: Any) -> Any:
        return value if isinstance(value, str) else str(value)

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(
            **{"form_class": forms.CharField, "max_length": self.max_length, **kwargs}
        )


class EncryptedTextField(EncryptedCharField):
    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"widget": forms.Textarea, **kwargs})


class EncryptedJSONField(EncryptedField):
    codec = codecs.JSONCodec
    empty_strings_allowed = False

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


class EncryptedDateField(EncryptedField):
    codec = codecs.DateCodec
    empty_strings_allowed = False

    def plain_to_python(self, value: Any) -> Any:
        return models.DateField().to_python(value)

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": forms.DateField, **kwargs})


class BlindIndexField(models.CharField):
    """HMAC of the normalised plaintext of ``source`` under the primary index key.

    Look rows up with ``selectors.blind_index_candidates(kind, value)``, which yields
    one candidate per live index key, so lookups keep working during rotation.
    """

    vault_column: ClassVar[str] = rowstamp.BLIND_INDEX

    def __init__(self, *args: Any, source: str, kind: str, **kwargs: Any) -> None:
        if kind not in blindindex.NORMALIZERS:
            raise ValueError(f"unknown blind index kind {kind!r}")
        self.source, self.kind = source, kind
        kwargs.update(max_length=blindindex.MAX_LENGTH, editable=False, null=True, blank=True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "editable", "null", "blank"):
            kwargs.pop(key, None)
        kwargs.update(source=self.source, kind=self.kind)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        data = model_instance.__dict__
        source = self.model._meta.get_field(self.source)
        raw = data.get(source.attname, descriptor.MISSING)
        current = data.get(self.attname)
        if raw is descriptor.MISSING:
            return current  # source deferred and untouched
        if type(raw) is Opaque:
            return current  # a fixture's ciphertext: its index came with it, as dumped
        keys = keystore().index_keys()
        if type(raw) is Sealed and current and blindindex.version_of(current) == keys[0][0]:
            return current  # source unchanged since load, already under the primary key
        plaintext = getattr(model_instance, self.source)
        new = self.index_value(plaintext)
        data[self.attname] = new
        return new

    @cached_property
    def source_attname(self) -> str:
        return self.model._meta.get_field(self.source).attname

    def index_value(self, plaintext: Any) -> str | None:
        if plaintext is ERASED:
            return None  # an erased subject's rows keep no index (see subject_shred)
        version, key = keystore().index_keys()[0]
        if plaintext is None or not blindindex.normalize(self.kind, str(plaintext)):
            return blindindex.filler(version)  # empty: looks indexed, matches nothing
        return blindindex.compute(self.kind, str(plaintext), version, key)


__all__ = [
    "CIPHERTEXT_PREFIX",
    "ERASED",
    "FAST_READ",
    "BlindIndexField",
    "EncryptedCharField",
    "EncryptedDateField",
    "EncryptedField",
    "EncryptedJSONField",
    "EncryptedTextField",
    "Erased",
    "Opaque",
    "Sealed",
]
