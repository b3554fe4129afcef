"""Row stamps and fixture saves for encrypted fields (``vault.fields``).

Each row the database hands Django is stamped with the row its ciphertexts were sealed
for (``descriptor.ROW``), so a pk or subject edited after loading is noticed when saved:
the value is re-sealed for the new row instead of written where it no longer decrypts.
``raw_save_prepare`` does for ``loaddata`` (a raw save runs no field's ``pre_save``)
what ``pre_save`` does, leaving only ciphertext for the database.

The field classes name their kind in ``vault_column`` (``fields.py`` imports this
module, so it cannot import the classes back).
"""

from __future__ import annotations

from typing import Any, Final

from django.db import models

from strongroom.protection.vault.errors import UnsupportedOperation
from strongroom.protection.vault.internal.descriptor import MISSING, ROW, is_opened, row_of
from strongroom.protection.vault.values import Opaque, Sealed

ENCRYPTED: Final = "encrypted"  # EncryptedField and its subclasses
BLIND_INDEX: Final = "blind_index"  # BlindIndexField


def kind_of(field: models.Field) -> str | None:
    return getattr(field, "vault_column", None)


def stored_ciphertext(field: Any, obj: models.Model) -> Sealed | None:
    """The ciphertext ``field`` holds for ``obj`` (see ``EncryptedField.value_from_object``):
    fetched unopened if deferred; refused if it was sealed for another row than ``obj``'s."""
    data = obj.__dict__
    value = data.get(field.attname, MISSING)
    if value is MISSING:  # deferred: fetch the column, without decrypting it
        manager = type(obj)._base_manager.using(obj._state.db)
        return manager.filter(pk=obj.pk).values_list(field.attname, flat=True).get()
    if is_opened(value):
        value, origin = value[2], value[3]
    else:
        origin = data.get(ROW)
    if value is None or type(value) is Opaque:
        return value
    if type(value) is not Sealed or (
        origin is not None and origin[:2] != field.row(obj)[:2]
    ):
        raise UnsupportedOperation("save the row before serializing an encrypted field")
    return value


def raw_save_prepare(
    sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any
) -> None:
    """Fixture loading (``loaddata``) saves with ``raw=True``: Django then runs no field's
    ``pre_save`` and writes ``getattr(instance, attname)``, which through the descriptor
    is plaintext (refused by ``get_prep_value``). So do what ``pre_save`` does here, and
    leave the raw save only ``Opaque`` ciphertext, which the descriptor hands over
    unopened. Blind indexes first, while their sources still hold any plaintext."""
    if not raw:
        return
    fields = _RAW_SAVE_FIELDS.get(sender)
    if fields is None:
        concrete = sender._meta.concrete_fields
        fields = _RAW_SAVE_FIELDS[sender] = (
            [f for f in concrete if kind_of(f) == BLIND_INDEX]
            + [f for f in concrete if kind_of(f) == ENCRYPTED]
        )
    data = instance.__dict__
    for field in fields:
        source = field.source_attname if kind_of(field) == BLIND_INDEX else field.attname
        if data.get(source) is None:
            # A fixture's null (a dump made before format 2 wrote encrypted NULL markers):
            # loaded as dumped, SQL NULL and its index as it was. Sealing a marker here
            # would need the subject's data key, which the dump may list after this row.
            continue
        value = field.pre_save(instance, False)
        if kind_of(field) == ENCRYPTED:
            data[field.attname] = None if value is None else Opaque(value)


_RAW_SAVE_FIELDS: dict[type, list[Any]] = {}


def _stamp_row(sender: type[models.Model], instance: models.Model) -> None:
    """Remember which row loaded ciphertexts were sealed for (detects pk/subject edits)."""
    names = _ROW_ATTNAMES.get(sender)
    if names is None:
        meta = sender._meta
        field = next(f for f in meta.concrete_fields if kind_of(f) == ENCRYPTED)
        names = _ROW_ATTNAMES[sender] = (meta.pk.attname, field.subject_attname)
    data = instance.__dict__
    pk, subject_id = data.get(names[0]), data.get(names[1])
    if pk is not None and subject_id is not None:
        data[ROW] = row_of(pk, subject_id)


def stamp_rows_on_load(cls: type[models.Model]) -> None:
    """Stamp every row the database hands Django (querysets, select_related, prefetch,
    refresh_from_db all build instances through ``Model.from_db``).

    A wrapper around ``from_db`` rather than a ``post_init`` receiver: signal dispatch
    cost several microseconds per row on every list page. Instances built in Python
    need no stamp: they hold plaintext until saved, and what ``pre_save`` seals
    carries its own row.
    """
    if cls.__dict__.get("_vault_stamps_rows"):
        return
    load = cls.from_db.__func__  # type: ignore[attr-defined]

    def from_db(klass: type[models.Model], db: str, field_names: Any, values: Any) -> Any:
        instance = load(klass, db, field_names, values)
        _stamp_row(klass, instance)
        return instance

    cls.from_db = classmethod(from_db)  # type: ignore[method-assign,assignment]
    cls._vault_stamps_rows = True  # type: ignore[attr-defined]


_ROW_ATTNAMES: dict[type, tuple[str, str]] = {}
