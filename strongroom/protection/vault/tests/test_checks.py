"""System checks: plaintext personal data, unsafe key files."""

from __future__ import annotations

import os
import uuid

import pytest
from django.db import models
from django.test.utils import isolate_apps

from strongroom.protection.vault import checks, services
from strongroom.protection.vault.fields import EncryptedCharField
from strongroom.protection.vault.internal import keyfiles
from strongroom.protection.vault.models import Subject


def _ids(messages) -> list[str]:
    return sorted(m.id for m in messages)


@isolate_apps("strongroom.protection.vault")
def test_plaintext_personal_field_is_an_error() -> None:
    class Leaky(models.Model):
        email = models.CharField(max_length=100)
        personal_fields = ("email", "nickname")

    errors = checks.check_model(Leaky)
    assert _ids(errors) == ["vault.E001", "vault.E002"]
    assert "stored in plaintext" in errors[0].msg or "stored in plaintext" in errors[1].msg


@isolate_apps("strongroom.protection.vault")
def test_encrypted_model_needs_uuid_pk_and_subject() -> None:
    class Wrong(models.Model):
        secret = EncryptedCharField(max_length=10)
        personal_fields = ("secret",)

    class Right(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        subject = models.ForeignKey(Subject, on_delete=models.PROTECT)
        secret = EncryptedCharField(max_length=10)
        personal_fields = ("secret",)

    assert _ids(checks.check_model(Wrong)) == ["vault.E003", "vault.E003"]
    assert checks.check_model(Right) == []


def test_shipped_models_pass() -> None:
    assert checks.check_personal_fields() == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_world_readable_key_file_fails_the_check(vault) -> None:
    assert checks.check_keys() == []
    os.chmod(keyfiles.kek_path(vault, 1), 0o644)
    assert _ids(checks.check_keys()) == ["vault.E010"]


def test_missing_key_is_a_warning_and_bad_env_an_error(vault_dir, settings) -> None:
    assert _ids(checks.check_keys()) == ["vault.W010"]
    settings.STRONGROOM_KEK = "nope"
    assert _ids(checks.check_keys()) == ["vault.E011"]


def test_init_refuses_unsafe_directory(vault_dir) -> None:
    keyfiles.keys_dir_create(vault_dir)
    os.chmod(keyfiles.keys_dir(vault_dir), 0o755)  # noqa: S103
    with pytest.raises(Exception, match="chmod go-rwx"):
        services.vault_init()
