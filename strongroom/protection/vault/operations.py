"""Migration operations that keep encrypted data readable when its column is renamed.

Every ciphertext's associated data names its column as ``app_label.Model`` + field
name, so that a value copied into another column fails to decrypt (see
``internal/envelope.py``). The price: ``RenameField`` on an encrypted field,
``RenameModel`` on a model with encrypted fields, or moving such a model to another
app would leave every stored value unreadable. Put the matching operation in the same
migration, right after the rename::

    from strongroom.protection.vault.operations import (
        ReencryptRenamedField, ReencryptRenamedModel,
    )

    operations = [
        migrations.RenameField("customer", "email", "contact_email"),
        ReencryptRenamedField("customer", "email", "contact_email"),
        migrations.RenameModel("Client", "Customer"),
        ReencryptRenamedModel("Client", "Customer"),
    ]

A model moved here from another app (``SeparateDatabaseAndState`` creating it in
state only) takes ``ReencryptRenamedModel("Client", "Customer", old_app_label="crm")``.

The operations are data-only (no state change), reversible (backwards re-seals new ->
old) and idempotent (values already under the wanted name are skipped). They find the
column by whichever name the state has at their position, so in a non-atomic
migration (``atomic = False``, batches commit one by one, for very large tables) put
them *before* the rename: a run killed halfway then resumes by running again (run it in
maintenance mode: until the rename, running code cannot read the re-sealed values). The
``pre_migrate`` guard (``internal/renameguard.py``) refuses a plan that renames
encrypted data without them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.db import models, router
from django.db.migrations.operations.base import Operation

from strongroom.protection.vault.errors import VaultError
from strongroom.protection.vault.fields import EncryptedField
from strongroom.protection.vault.internal import envelope, renames
from strongroom.protection.vault.internal.renames import Column
from strongroom.protection.vault.internal.rotation import batch_size_check


class EncryptedRenameError(VaultError, CommandError):
    """A migration would make encrypted data unreadable, or could not re-encrypt it.

    A ``CommandError`` too, so ``strongroom migrate`` prints it without a traceback and
    exits 1.
    """

    code = "vault.encrypted_rename"


class ReencryptOperation(Operation):
    """Base: re-seal columns from the contexts of their old names to their new ones."""

    reduces_to_sql = False
    reversible = True
    # Not forced atomic: inside a non-atomic migration each batch commits on its own,
    # which is what makes a killed run resumable.
    atomic = False

    batch_size: int

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # data only: the rename operation changes the state

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._reseal(app_label, schema_editor, to_state, backwards=False)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._reseal(app_label, schema_editor, from_state, backwards=True)

    def _reseal(self, app_label: str, schema_editor: Any, state: Any, *, backwards: bool) -> None:
        alias = schema_editor.connection.alias
        for column in self.columns(app_label, state, backwards=backwards):
            model = column.model
            if model._meta.proxy or not router.allow_migrate(
                alias, model._meta.app_label, model_name=model._meta.model_name
            ):
                continue
            try:
                renames.column_reseal(column=column, using=alias, batch_size=self.batch_size)
            except renames.ResealError as exc:
                raise EncryptedRenameError(f"{self.describe()}: {exc}") from None

    def columns(self, app_label: str, state: Any, *, backwards: bool) -> list[Column]:
        raise NotImplementedError

    def provides(self, app_label: str) -> tuple[str, ...]:
        """What the rename guard matches this operation against."""
        raise NotImplementedError


def _column(
    model: type[models.Model], field: Any, source: tuple[str, str], target: tuple[str, str],
    *, backwards: bool,
) -> Column:
    if backwards:
        source, target = target, source
    return Column(
        model=model,
        field=field,
        source=envelope.field_context(*source),
        target=envelope.field_context(*target),
    )


class ReencryptRenamedField(ReencryptOperation):
    """Re-seal ``model_name.old_name`` values for their new name ``new_name``."""

    def __init__(
        self, model_name: str, old_name: str, new_name: str, *, batch_size: int = 500
    ) -> None:
        self.model_name, self.old_name, self.new_name = model_name, old_name, new_name
        self.batch_size = batch_size_check(batch_size)

    def columns(self, app_label: str, state: Any, *, backwards: bool) -> list[Column]:
        try:
            model = state.apps.get_model(app_label, self.model_name)
        except LookupError:
            raise EncryptedRenameError(
                f"{self.describe()}: there is no model {app_label}.{self.model_name}"
            ) from None
        fields = {f.name: f for f in model._meta.local_concrete_fields}
        field = fields.get(self.new_name) or fields.get(self.old_name)
        if not isinstance(field, EncryptedField):
            raise EncryptedRenameError(
                f"{self.describe()}: {model._meta.label} has no encrypted field "
                f"{self.new_name!r} or {self.old_name!r}; put this operation in the migration "
                "that renames the field"
            )
        label = model._meta.label
        return [
            _column(model, field, (label, self.old_name), (label, self.new_name),
                    backwards=backwards)
        ]

    def provides(self, app_label: str) -> tuple[str, ...]:
        return ("field", app_label, self.model_name.lower(), self.old_name, self.new_name)

    def describe(self) -> str:
        return f"Re-encrypt {self.model_name}.{self.old_name} as {self.new_name} (vault)"

    @property
    def migration_name_fragment(self) -> str:
        return f"reencrypt_{self.model_name.lower()}_{self.new_name.lower()}"


class ReencryptRenamedModel(ReencryptOperation):
    """Re-seal every encrypted field of a renamed (or moved) model for its new label."""

    def __init__(
        self,
        old_name: str,
        new_name: str,
        *,
        old_app_label: str | None = None,
        batch_size: int = 500,
    ) -> None:
        self.old_name, self.new_name, self.old_app_label = old_name, new_name, old_app_label
        self.batch_size = batch_size_check(batch_size)

    def columns(self, app_label: str, state: Any, *, backwards: bool) -> list[Column]:
        old_app = self.old_app_label or app_label
        old, new = f"{old_app}.{self.old_name}", f"{app_label}.{self.new_name}"
        try:  # after the rename (the usual place): the state knows the new model
            model = state.apps.get_model(app_label, self.new_name)
            new = model._meta.label
        except LookupError:
            try:  # before it (non-atomic migrations)
                model = state.apps.get_model(old_app, self.old_name)
                old = model._meta.label
            except LookupError:
                raise EncryptedRenameError(
                    f"{self.describe()}: neither {new} nor {old} exists; put this operation "
                    "in the migration that renames the model"
                ) from None
        return [
            _column(model, field, (old, field.name), (new, field.name), backwards=backwards)
            for field in model._meta.local_concrete_fields
            if isinstance(field, EncryptedField)
        ]

    def provides(self, app_label: str) -> tuple[str, ...]:
        old_app = self.old_app_label or app_label
        return ("model", old_app, self.old_name.lower(), app_label, self.new_name.lower())

    def describe(self) -> str:
        old = f"{self.old_app_label}.{self.old_name}" if self.old_app_label else self.old_name
        return f"Re-encrypt the fields of {old} as {self.new_name} (vault)"

    @property
    def migration_name_fragment(self) -> str:
        return f"reencrypt_{self.new_name.lower()}"


__all__ = [
    "EncryptedRenameError", "ReencryptOperation", "ReencryptRenamedField", "ReencryptRenamedModel",
]
