"""System checks: personal data stored in plaintext, unsafe or missing keys.

IDs are stable (docs and the self-audit refer to them):
  vault.E001  a field declared personal data is stored in plaintext
  vault.E002  ``personal_fields`` names a field the model does not have
  vault.E003  a model with encrypted fields lacks a Python-generated UUID pk or a
              ForeignKey to vault.Subject
  vault.E004  a BlindIndexField whose source is not an encrypted field of the model
  vault.E010  a key file or the key directory is accessible by group or others
  vault.E011  STRONGROOM_KEK is set but not a valid key
  vault.W010  no key-encryption key yet (run `strongroom keys init`)
  vault.I001  encrypted fields read through the pure-Python path (deploy check; the
              compiled read path was not built, or STRONGROOM_VAULT_SPEEDUPS is off)

A model declares personal data with a class attribute::

    personal_fields = ("name", "email")
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.fields import FAST_READ, BlindIndexField, EncryptedField
from strongroom.protection.vault.internal import keyfiles, kms
from strongroom.protection.vault.models import Subject


def personal_fields_of(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(getattr(model, "personal_fields", ()))


@checks.register(checks.Tags.models, checks.Tags.security)
def check_personal_fields(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        errors += check_model(model)
    return errors


def check_model(model: type[models.Model]) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    label = model._meta.label
    for name in personal_fields_of(model):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            errors.append(
                checks.Error(
                    f"{label}.personal_fields names {name!r}, which is not a field",
                    obj=model,
                    id="vault.E002",
                )
            )
            continue
        if not isinstance(field, EncryptedField):
            errors.append(
                checks.Error(
                    f"{label}.{name} is declared personal data but stored in plaintext",
                    hint="use an Encrypted*Field from strongroom.protection.vault.fields",
                    obj=model,
                    id="vault.E001",
                )
            )
    errors += _check_encrypted_model(model)
    return errors


def _check_encrypted_model(model: type[models.Model]) -> list[checks.CheckMessage]:
    fields = model._meta.concrete_fields
    encrypted = [f for f in fields if isinstance(f, EncryptedField)]
    errors: list[checks.CheckMessage] = []
    label = model._meta.label
    if encrypted:
        pk = model._meta.pk
        if not isinstance(pk, models.UUIDField) or not pk.has_default():
            errors.append(
                checks.Error(
                    f"{label} has encrypted fields but its pk is not a UUIDField with a default",
                    hint="id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)",  # noqa: E501
                    obj=model,
                    id="vault.E003",
                )
            )
        for subject_field in {f.subject_field for f in encrypted}:
            try:
                target = model._meta.get_field(subject_field).related_model
            except FieldDoesNotExist:
                target = None
            if target is not Subject or len({f.subject_field for f in encrypted}) > 1:
                errors.append(
                    checks.Error(
                        f"{label} encrypted fields need one ForeignKey {subject_field!r} to vault.Subject",  # noqa: E501
                        obj=model,
                        id="vault.E003",
                    )
                )
    names = {f.name for f in encrypted}
    for field in fields:
        if isinstance(field, BlindIndexField) and field.source not in names:
            errors.append(
                checks.Error(
                    f"{label}.{field.name} indexes {field.source!r}, which is not an encrypted field",  # noqa: E501
                    obj=model,
                    id="vault.E004",
                )
            )
    return errors


@checks.register(checks.Tags.security)
def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    data_dir = settings.STRONGROOM_DATA_DIR
    env_value = getattr(settings, "STRONGROOM_KEK", None)
    unsafe = keyfiles.unsafe_key_paths(data_dir)
    if unsafe:
        return [
            checks.Error(
                f"{unsafe[0]} is readable by other users",
                hint=f"run `chmod go-rwx {unsafe[0]}` (and any other file in {keyfiles.keys_dir(data_dir)})",  # noqa: E501
                id="vault.E010",
            )
        ]
    try:
        kms.LocalKMS(data_dir=data_dir, env_value=env_value).primary_version()
    except KeyConfigError as exc:
        if env_value:
            return [checks.Error(str(exc), id="vault.E011")]
        return [
            checks.Warning(
                "no key-encryption key yet: personal data cannot be saved",
                hint="run `strongroom keys init` (or set STRONGROOM_KEK)",
                id="vault.W010",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_read_path(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Not a security problem (both paths make the same checks), but a slower store."""
    if FAST_READ:
        return []
    if not getattr(settings, "STRONGROOM_VAULT_SPEEDUPS", True):
        why, hint = "STRONGROOM_VAULT_SPEEDUPS is off", "unset STRONGROOM_VAULT_SPEEDUPS"
    else:
        why = "the compiled read path was not built"
        hint = "install a C compiler and the Python headers, then reinstall (`make install`)"
    return [
        checks.Info(
            f"encrypted fields are read by the pure-Python path ({why}): each read is slower",
            hint=hint, id="vault.I001",
        )
    ]
