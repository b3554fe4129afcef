"""Posture benchmarks against the SPEC targets, in a throwaway store:

* vulnerability scan of the store's SBOM against a generated OSV export of 50,000
  advisories (a zip, as the OSV project publishes it): <= 5 s, reading included;
* the full self-audit on a store with 100,000 customers (encrypted, with a data key
  each, made with batched vault writes): <= 10 s.

Wall-clock time is the target; this process's CPU time is printed beside it, because on
a shared machine the difference is the time other processes took.

Standalone: ``python -m strongroom.bench.posture`` runs only this suite.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import zipfile
from pathlib import Path

TARGETS = {"scan_50k_seconds": 5.0, "self_audit_100k_seconds": 10.0}
CHUNK = 5000


def _export(folder: Path, count: int, installed: list[tuple[str, str]]) -> Path:
    """``count`` advisories: most for packages the store does not have, one in 25 for an
    installed one with ranges around its version (a few affecting it), like real data."""
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    path = folder / "all.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(count):
            if i % 25 == 0:
                name, version = installed[rng.randrange(len(installed))]
                major = version.split(".")[0]
                events = ([{"introduced": "0"}, {"fixed": "0.0.1"}] if i % 1000
                          else [{"introduced": "0"}, {"fixed": f"{int(major) + 1}.0"}])
            else:
                name = f"bench-package-{rng.randrange(20000)}"
                events = [{"introduced": "1.0"}, {"fixed": f"1.{rng.randrange(1, 40)}"}]
            doc = {"id": f"BENCH-{i:06d}", "modified": "2026-12-01T00:00:00Z",
                   "aliases": [f"CVE-2026-{i:05d}"], "summary": "generated advisory",
                   "affected": [{"package": {"ecosystem": "PyPI", "name": name},
                                 "ranges": [{"type": "ECOSYSTEM", "events": events}]}],
                   "database_specific": {"severity": rng.choice(["LOW", "MODERATE",
                                                                 "HIGH", "CRITICAL"])}}
            archive.writestr(f"BENCH-{i:06d}.json", json.dumps(doc))
    return path


def _scan(count: int) -> tuple[float, float, int]:
    from strongroom.protection.posture import services
    from strongroom.protection.posture.internal.inventory import inventory_take

    installed = [(p.name, p.version) for p in inventory_take(with_files=False).packages
                 if p.version[:1].isdigit()]
    with tempfile.TemporaryDirectory(prefix="strongroom-osv-bench-") as tmp:
        export = _export(Path(tmp), count, installed)
        start, cpu = time.perf_counter(), time.process_time()
        report = services.vulnerability_scan_run(source=str(export))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert report.run.advisories == count
    return seconds, cpu, len(report.matches)


def _customers(count: int) -> None:
    """Batched vault writes: subjects and wrapped data keys in bulk, keys handed to the
    vault's cache, then the encrypted rows (email, name, blind index) in bulk."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from strongroom.protection.vault.internal import keymaterial, runtime
    from strongroom.protection.vault.internal.keystore import data_key_aad
    from strongroom.protection.vault.models import DataKey, Subject

    User = get_user_model()
    store = runtime.keystore()
    for start in range(0, count, CHUNK):
        with transaction.atomic():
            subjects = Subject.objects.bulk_create(
                [Subject() for _ in range(min(CHUNK, count - start))])
            keys = [keymaterial.key_generate() for _ in subjects]
            wrapped = store.kms.wrap_many(keys, [data_key_aad(s.id) for s in subjects])
            rows = DataKey.objects.bulk_create([
                DataKey(subject_id=s.id, kek_version=w.kek_version, wrapped=w.blob)
                for s, w in zip(subjects, wrapped, strict=True)])
        for subject, row, key in zip(subjects, rows, keys, strict=True):
            store._active.put(subject.id, (row.id, key))  # what key_for_encrypt caches
        users = []
        for i, subject in enumerate(subjects, start=start):
            user = User(subject=subject, email=f"customer{i:06d}@example.com",
                        full_name=f"Customer {i:06d}")
            user.set_unusable_password()  # these customers never sign in (no hashing)
            users.append(user)
        with transaction.atomic():
            User.objects.bulk_create(users, batch_size=1000)
        runtime.reset()


def _self_audit() -> tuple[float, float, int, int]:
    from strongroom.protection.posture import services

    start, cpu = time.perf_counter(), time.process_time()
    report = services.self_audit_run()
    return (time.perf_counter() - start, time.process_time() - cpu, report.score.score,
            len(report.results))


def run(*, advisories: int = 50_000, customers: int = 100_000) -> dict[str, float]:
    from strongroom.bench.vault import _throwaway_store

    results: dict[str, float] = {}
    with _throwaway_store():
        results["scan_50k_seconds"], results["scan_cpu"], results["scan_findings"] = \
            _scan(advisories)
        start = time.perf_counter()
        _customers(customers)
        results["customers_made_seconds"] = time.perf_counter() - start
        from django.contrib.auth import get_user_model

        results["customers"] = get_user_model().objects.count()
        (results["self_audit_100k_seconds"], results["self_audit_cpu"], results["score"],
         results["checks"]) = _self_audit()
    return results


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "BELOW TARGET"


def report(*, advisories: int = 50_000, customers: int = 100_000) -> list[str]:
    r = run(advisories=advisories, customers=customers)
    t = TARGETS
    return [
        f"scan vs {advisories:,} OSV advisories (zip)  {r['scan_50k_seconds']:6.2f} s "
        f"(CPU {r['scan_cpu']:.2f} s, {int(r['scan_findings'])} findings)  "
        f"(target <= {t['scan_50k_seconds']:.0f} s)  "
        f"{_verdict(r['scan_50k_seconds'], t['scan_50k_seconds'])}",
        f"{int(r['customers']):,} customers made in {r['customers_made_seconds']:.1f} s "
        "(batched vault writes; setup, not measured)",
        f"self-audit, {int(r['checks'])} checks, {int(r['customers']):,} customers  "
        f"{r['self_audit_100k_seconds']:6.2f} s "
        f"(CPU {r['self_audit_cpu']:.2f} s, score {int(r['score'])})  "
        f"(target <= {t['self_audit_100k_seconds']:.0f} s)  "
        f"{_verdict(r['self_audit_100k_seconds'], t['self_audit_100k_seconds'])}",
    ]


if __name__ == "__main__":
    from strongroom.bench.__main__ import _django_setup

    _django_setup()
    for line in report():
        print(line, flush=True)
