"""``loaddata`` that refuses a restore whose ciphertexts do not open.

Fixtures carry encrypted values as ciphertext ("vault1:..."), written byte for byte, and
a dump lists rows before the data keys that open them, so a value can only be checked
once everything is loaded. Without a check, a dump restored under the wrong
key-encryption key, or an edited one (a ciphertext moved to another row, a flipped
byte), loads "successfully" and then fails on every read. Here every loaded encrypted
value is decrypted before the load's transaction commits (Django wraps ``loaddata`` in
one); the first that does not open aborts the whole load, so nothing is written.

``--accept-undecryptable`` loads such a dump anyway (restoring a database that already
held damaged rows) and names how many values do not open. Erased (crypto-shredded)
customers read as erased and are not failures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.db import models

from strongroom.protection.vault.errors import DecryptionError
from strongroom.protection.vault.internal import registry, runtime
from strongroom.protection.vault.selectors import keys_preload

BATCH = 500


class Command(loaddata.Command):
    help = (loaddata.Command.help or "") + (
        " Encrypted values are decrypted before anything is committed; a value that does "
        "not open (wrong key-encryption key, an edited fixture) stops the whole load."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--accept-undecryptable", action="store_true",
            help="load even if some encrypted values do not open, and report how many",
        )

    def handle(self, *fixture_labels: str, **options: Any) -> None:
        self.accept_undecryptable = options["accept_undecryptable"]
        try:
            super().handle(*fixture_labels, **options)
        except BaseException:
            runtime.reset()  # keys cached from rows that were rolled back
            raise

    def loaddata(self, fixture_labels: Any) -> None:
        self.vault_loaded: dict[type[models.Model], list[Any]] = {}
        super().loaddata(fixture_labels)
        failures = 0
        for label, pk, field in self._undecryptable():
            if not self.accept_undecryptable:  # stop at the first: the load is refused
                raise CommandError(
                    f"{label} {pk}: the encrypted field {field!r} does not open (a different "
                    "key-encryption key, or an edited fixture); nothing was loaded "
                    "(--accept-undecryptable loads it anyway)")
            failures += 1
        if failures:
            self.stderr.write(f"Warning: {failures} encrypted value(s) do not open "
                              "(loaded anyway; they read as an error).")

    def save_obj(self, obj: Any) -> bool:
        saved = super().save_obj(obj)
        model = type(obj.object)
        if saved and registry.encrypted_fields(model):
            self.vault_loaded.setdefault(model, []).append(obj.object.pk)
        return saved

    def _undecryptable(self) -> Iterator[tuple[str, Any, str]]:
        """(model label, pk, field) of every loaded value that does not decrypt."""
        for model, pks in self.vault_loaded.items():
            fields = registry.encrypted_fields(model)
            subject_attname = fields[0].subject_attname
            for start in range(0, len(pks), BATCH):
                rows = list(model._base_manager.using(self.using)
                            .filter(pk__in=pks[start:start + BATCH]))
                try:
                    keys_preload(subject_ids=[getattr(r, subject_attname) for r in rows])
                except DecryptionError:
                    pass  # a key that will not unwrap: the reads below name the rows
                for row in rows:
                    for field in fields:
                        try:
                            getattr(row, field.attname)
                        except DecryptionError:
                            yield model._meta.label, row.pk, field.name
