"""Backups at scale (SPEC): a store with 100,000 customers and 200,000 orders on SQLite is
backed up in <= 60 s, restored with verification in <= 120 s; a drill's RPO and RTO.

The data is made fast, with batched inserts, but it is real: every customer has its own
vault subject and wrapped data key, and every email, name and address is sealed by the
vault, so the backup's scratch verification and the restore's check decrypt real
ciphertexts. Runs in the bench's throwaway data directory and SQLite database.
"""

from __future__ import annotations

import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

TARGETS = {"backup_seconds": 60.0, "restore_seconds": 120.0}
BATCH = 5000


def _store_make(customers: int, orders_each: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from strongroom.commerce.orders.models import Order
    from strongroom.protection.vault.internal import keymaterial, runtime
    from strongroom.protection.vault.internal.keystore import data_key_aad
    from strongroom.protection.vault.models import DataKey, Subject

    User = get_user_model()
    kms = runtime.keystore().kms
    password = User().password  # unusable: nobody signs in as a bench customer
    now = timezone.now()
    for start in range(0, customers, BATCH):
        n = min(BATCH, customers - start)
        with transaction.atomic():
            subjects = Subject.objects.bulk_create([Subject() for _ in range(n)])
            keys = [keymaterial.key_generate() for _ in range(n)]
            wrapped = kms.wrap_many(keys, [data_key_aad(s.id) for s in subjects])
            rows = DataKey.objects.bulk_create([
                DataKey(subject_id=s.id, kek_version=w.kek_version, wrapped=w.blob)
                for s, w in zip(subjects, wrapped, strict=True)])
            # The keys just made are the subjects' active keys: hand them to the key cache
            # as a key lookup would (one query per subject otherwise, for data made here).
            store = runtime.keystore()
            for subject, row, key in zip(subjects, rows, keys, strict=True):
                store._active.put(subject.id, (row.id, key))
            users = User.objects.bulk_create([
                User(subject=s, email=f"customer{start + i:06d}@example.com",
                     full_name=f"Customer Number {start + i:06d}", password=password,
                     date_joined=now - dt.timedelta(minutes=start + i))
                for i, s in enumerate(subjects)])
            Order.objects.bulk_create([
                Order(reference=f"BENCH{start + i:06d}{k}", user=u, subject_id=u.subject_id,
                      email=f"customer{start + i:06d}@example.com",
                      full_name=f"Customer Number {start + i:06d}",
                      line1=f"{start + i} Long Street", city="Springfield",
                      postal_code=f"{(start + i) % 99999:05d}", country="DE",
                      shipping_method="standard", currency="EUR", subtotal="19.90",
                      shipping_total="4.90", total="24.80", status="paid")
                for i, u in enumerate(users) for k in range(orders_each)])
        runtime.reset()  # the key cache is bounded; start each batch cold


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its waited-for children (the
    scratch checks): comparable on a loaded machine, where wall time is not."""
    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                      resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run(*, customers: int = 100_000, orders_each: int = 2) -> dict[str, float]:
    from django.conf import settings
    from django.db import connection

    from strongroom.config import BackupConfig
    from strongroom.protection.backups.services import (
        backup_drill,
        backup_restore,
        backup_run,
        recovery_key_init,
    )

    assert connection.vendor == "sqlite", "the SPEC target is for SQLite"
    started = time.perf_counter()
    _store_make(customers, orders_each)
    made = time.perf_counter() - started
    work = Path(tempfile.mkdtemp(prefix="strongroom-backup-bench-"))
    settings.STRONGROOM_BACKUPS = BackupConfig(destinations=(f"file://{work}/disk",))
    identity, _ = recovery_key_init(replace=True)
    key = work / "recovery-key.txt"
    key.write_text(identity)
    quiet = lambda _m: None  # noqa: E731
    clock, cpu = time.perf_counter(), _cpu()
    row, errors = backup_run(progress=quiet)
    backup_seconds, backup_cpu = time.perf_counter() - clock, _cpu() - cpu
    if errors:
        raise RuntimeError(f"the backup failed at a destination: {errors[0]}")
    clock, cpu = time.perf_counter(), _cpu()
    result = backup_restore(backup_id=row.backup_id, source=None, identity_path=key,
                            into=str(work / "restored.sqlite3"), progress=quiet)
    restore_seconds, restore_cpu = time.perf_counter() - clock, _cpu() - cpu
    drill = backup_drill(identity_path=key, source=None, progress=quiet)
    if not drill.ok:
        raise RuntimeError(f"the drill failed: {drill.error}")
    return {"customers": customers, "orders": customers * orders_each,
            "make_seconds": made, "backup_seconds": backup_seconds, "backup_cpu": backup_cpu,
            "restore_cpu": restore_cpu,
            "backup_mb": row.bytes / 1e6, "plain_mb": row.plain_bytes / 1e6,
            "restore_seconds": restore_seconds, "decrypted": result.report["decrypted"],
            "rpo": drill.rpo_seconds or 0.0, "rto": drill.rto_seconds or 0.0}


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "BELOW TARGET"


def report(*, customers: int = 100_000) -> list[str]:
    r = run(customers=customers)
    t = TARGETS
    return [
        f"store: {r['customers']:,.0f} customers + {r['orders']:,.0f} orders on SQLite "
        f"(made in {r['make_seconds']:.1f} s)",
        f"backup (snapshot, scratch verification, gzip, age, sign, copy, read back) "
        f"{r['backup_seconds']:6.1f} s, CPU {r['backup_cpu']:.1f} s  "
        f"({r['plain_mb']:.0f} MB -> {r['backup_mb']:.0f} MB)  "
        f"(target <= {t['backup_seconds']:.0f} s)  "
        f"{_verdict(r['backup_seconds'], t['backup_seconds'])}",
        f"restore + verification (checksum, signature, decrypt, load, migrate, ledger, "
        f"audit verify, {r['decrypted']:.0f} fields decrypted) {r['restore_seconds']:6.1f} s, "
        f"CPU {r['restore_cpu']:.1f} s  "
        f"(target <= {t['restore_seconds']:.0f} s)  "
        f"{_verdict(r['restore_seconds'], t['restore_seconds'])}",
        f"drill: RPO {r['rpo']:.0f} s (age of the newest restorable data), RTO {r['rto']:.1f} s "
        "(until the restored store answered over HTTPS)  info",
    ]
