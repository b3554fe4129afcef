"""Vault benchmarks (SPEC targets): field decrypt/encrypt vs bare AES-GCM, rewrap speed.

``run()`` works under any configured Django: it uses a throwaway key directory and
rolls every row it writes back, so it leaves the store's keys and data as they were.
Meant for a development or CI database: it runs one long transaction.
Standalone: ``python -m strongroom.protection.vault.bench``.
"""

from __future__ import annotations

import os
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.test import TestCase, override_settings

TARGETS = {"field_decrypt_ratio": 2.0, "rewrap_100k_seconds": 60.0}


class _Rollback(Exception):
    pass


def _best(fn: Callable[[], object], number: int = 20_000, repeat: int = 5) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def run(*, rewrap_count: int = 100_000) -> dict[str, float]:
    results: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory() as data_dir,
        override_settings(STRONGROOM_DATA_DIR=Path(data_dir), STRONGROOM_KEK=None),
    ):
        try:
            with transaction.atomic():
                results.update(_field_ratios())
                results["rewrap_100k_seconds"] = _rewrap(rewrap_count) * 100_000 / rewrap_count
                raise _Rollback
        except _Rollback:
            pass
    return results


def _field_ratios() -> dict[str, float]:
    from strongroom.protection.vault import services
    from strongroom.protection.vault.internal import keymaterial
    from strongroom.protection.vault.models import DataKey, IndexKey, Probe

    # The store's own keys are wrapped under its real KEK, not the throwaway one:
    # set them aside for the run (this transaction is rolled back).
    DataKey.objects.all().delete()
    IndexKey.objects.all().delete()
    services.vault_init()
    with TestCase.captureOnCommitCallbacks(execute=True):
        subject = services.subject_create()
    probe = Probe.objects.create(subject=subject, email="someone@example.com")
    probe = Probe.objects.get(pk=probe.pk)
    sealed = probe.__dict__["email"]
    field = Probe._meta.get_field("email")
    row = field.row(probe)
    data = probe.__dict__

    def field_decrypt() -> object:
        data["email"] = sealed
        return probe.email

    # Baseline: what a hand-rolled column would do at least: split nonce || ct, decrypt.
    aead, nonce, ct, aad = keymaterial.bare_aesgcm_decrypt_timer()
    blob = nonce + ct
    bare_decrypt = _best(lambda: aead.decrypt(blob[:12], blob[12:], aad))  # type: ignore[attr-defined]
    # A correct GCM encrypt needs a fresh random nonce, so the baseline includes one.
    bare_encrypt = _best(lambda: aead.encrypt(os.urandom(12), b"someone@example.com", aad))  # type: ignore[attr-defined]
    field_decrypt_time = _best(field_decrypt)
    return {
        "field_decrypt_ratio": field_decrypt_time / bare_decrypt,
        "field_encrypt_ratio": _best(lambda: field.seal("someone@example.com", row)) / bare_encrypt,
        "field_decrypt_us": field_decrypt_time * 1e6,
        "bare_aesgcm_decrypt_us": bare_decrypt * 1e6,
    }


def _rewrap(count: int) -> float:
    from strongroom.protection.vault import services
    from strongroom.protection.vault.internal import keymaterial, runtime
    from strongroom.protection.vault.internal.keystore import data_key_aad
    from strongroom.protection.vault.models import DataKey, Subject

    kms = runtime.keystore().kms
    subjects = Subject.objects.bulk_create([Subject() for _ in range(count)], batch_size=5000)
    key = keymaterial.key_generate()
    wrapped = kms.wrap_many([key] * count, [data_key_aad(s.id) for s in subjects])
    DataKey.objects.bulk_create(
        [
            DataKey(subject_id=s.id, kek_version=w.kek_version, wrapped=w.blob)
            for s, w in zip(subjects, wrapped, strict=True)
        ],
        batch_size=5000,
    )
    kms.version_create()
    start = time.perf_counter()
    services.data_keys_rewrap(batch_size=2000)
    return time.perf_counter() - start


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strongroom.settings")
    import django

    django.setup()
    for name, value in run().items():
        print(
            f"{name}: {value:.3f}" + (f"  (target <= {TARGETS[name]})" if name in TARGETS else "")
        )
