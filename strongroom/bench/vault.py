"""Vault benchmarks against the SPEC targets.

``report()`` (called by ``python -m strongroom.bench`` after ``django.setup()``) and
``run()`` never touch the store's data or keys: they point Django's default database
at a throwaway SQLite file in a temporary directory (migrated from scratch), use a
throwaway key-encryption key there, and put everything back afterwards. So they are
safe on any deployment, and two runs never see each other's rows.

Measured (each as figure, ratio, target, verdict):
* field decrypt vs a bare AES-GCM decrypt of the same size (target <= 2x);
* field encrypt vs a bare AES-GCM encrypt with a fresh nonce (reported);
* the console customer list, 50 rows, vs the same template over a plaintext twin
  table holding the same values: same queries, same rows, one side decrypting
  (target <= 1.15x; keys warm in the cache, as in steady use; cold cache reported);
* login lookup through the email blind index vs a plaintext indexed lookup (<= 1.2x);
* rewrapping 100,000 customers' data keys under a new KEK on SQLite (<= 60 s).

Standalone: ``python -m strongroom.bench.vault``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
import timeit
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from strongroom.bench.dbswap import default_database

# Django and the store are imported inside the functions (function-level on purpose):
# `python -m strongroom.bench.vault` imports this module before django.setup().
TARGETS = {
    "field_decrypt_ratio": 2.0,
    "page_50_customers_ratio": 1.15,
    "login_lookup_ratio": 1.2,
    "rewrap_100k_seconds": 60.0,
}
PAGE_ROWS = 50


def _best(fn: Callable[[], object], number: int = 20_000, repeat: int = 5) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def _best_pair(
    a: Callable[[], object], b: Callable[[], object], number: int = 2_000, rounds: int = 100
) -> tuple[float, float]:
    """Best time per call of ``a`` and of ``b`` over ``rounds`` short batches measured
    alternately. On a shared (virtualised) machine the speed of the CPU drifts by up to 2x
    within seconds; many short alternating batches give both sides the same chances of a
    quiet slice, where a few long ones let one burst of load land on one side only."""
    best_a = best_b = float("inf")
    for _ in range(rounds):
        best_a = min(best_a, timeit.timeit(a, number=number))
        best_b = min(best_b, timeit.timeit(b, number=number))
    return best_a / number, best_b / number


# --- isolation: a throwaway database and KEK ----------------------------------------------

@contextmanager
def _throwaway_store() -> Iterator[Path]:
    """Point the default database at a fresh SQLite file and the vault at a fresh KEK."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    from strongroom.protection.vault import services

    with tempfile.TemporaryDirectory(prefix="strongroom-vault-bench-") as tmp:
        data_dir = Path(tmp)
        sqlite = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir / "bench.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
        }
        # Plain static storage: the page renders whether or not collectstatic ran
        # (both sides of the page comparison render the same static URLs).
        storages = {**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        with default_database(sqlite), override_settings(
                STRONGROOM_DATA_DIR=data_dir, STRONGROOM_KEK=None, STORAGES=storages):
            call_command("migrate", verbosity=0, interactive=False)
            services.vault_init()
            yield data_dir


def _plain_twin() -> Any:
    """A plaintext twin of accounts.User, column for column (bench only): keep it in step
    with the model, or the comparison is between rows of different widths."""
    from django.apps import apps
    from django.db import models

    try:
        return apps.get_model("vault", "BenchPlainCustomer")
    except LookupError:
        pass

    class BenchPlainCustomer(models.Model):
        # accounts.User's columns, with email and name in plaintext (email indexed).
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        password = models.CharField(max_length=128)
        last_login = models.DateTimeField(null=True)
        is_superuser = models.BooleanField(default=False)
        # A ForeignKey like User.subject (same descriptor on load), without the constraint:
        # the twin table is created by the benchmark alone.
        subject = models.ForeignKey("vault.Subject", on_delete=models.DO_NOTHING,
                                    db_constraint=False, related_name="+")
        email = models.CharField(max_length=254, unique=True)
        full_name = models.CharField(max_length=150, blank=True)
        is_staff = models.BooleanField(default=False)
        is_active = models.BooleanField(default=True)
        date_joined = models.DateTimeField()
        email_verified_at = models.DateTimeField(null=True)
        password_changed_at = models.DateTimeField(null=True)
        password_reset_required = models.BooleanField(default=False)

        privacy_exempt = "benchmark twin: defined and filled only by `make bench`"

        class Meta:
            app_label = "vault"
            managed = False
            db_table = "vault_bench_plain_customer"

    return BenchPlainCustomer


# --- the measurements -------------------------------------------------------------------

def _field_ratios() -> dict[str, float]:
    from django.test import TestCase

    from strongroom.protection.vault import services
    from strongroom.protection.vault.internal import keymaterial
    from strongroom.protection.vault.models import Probe

    with TestCase.captureOnCommitCallbacks(execute=True):  # new keys cache after commit
        subject = services.subject_create()
    probe = Probe.objects.create(subject=subject, email="someone@example.com")
    probe = Probe.objects.get(pk=probe.pk)
    sealed = probe.__dict__["email"]
    field = Probe._meta.get_field("email")
    row = field.row(probe)
    data = probe.__dict__
    assert probe.email == "someone@example.com"

    def field_decrypt() -> object:
        data["email"] = sealed
        return probe.email

    # Baseline: what a hand-rolled column would do at least: split nonce || ct, decrypt.
    aead, nonce, ct, aad = keymaterial.bare_aesgcm_decrypt_timer()
    blob = nonce + ct
    field_decrypt_time, bare_decrypt = _best_pair(
        field_decrypt, lambda: aead.decrypt(blob[:12], blob[12:], aad)  # type: ignore[attr-defined]
    )
    # A correct GCM encrypt needs a fresh random nonce, so the baseline includes one.
    field_encrypt_time, bare_encrypt = _best_pair(
        lambda: field.seal("someone@example.com", row),
        lambda: aead.encrypt(os.urandom(12), b"someone@example.com", aad),  # type: ignore[attr-defined]
    )
    return {
        "field_decrypt_ratio": field_decrypt_time / bare_decrypt,
        "field_encrypt_ratio": field_encrypt_time / bare_encrypt,
        "field_decrypt_us": field_decrypt_time * 1e6,
        "field_encrypt_us": field_encrypt_time * 1e6,
        "bare_aesgcm_decrypt_us": bare_decrypt * 1e6,
        "bare_aesgcm_encrypt_us": bare_encrypt * 1e6,
    }


def _customers_make(count: int) -> tuple[list[Any], Any]:
    """``count`` encrypted customers and their plaintext twins (same values)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import TestCase
    from django.utils import timezone

    from strongroom.protection.vault.models import Subject

    User = get_user_model()
    Plain = _plain_twin()
    with connection.schema_editor() as editor:
        editor.create_model(Plain)
    now = timezone.now()
    users, twins = [], []
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        subjects = Subject.objects.bulk_create([Subject() for _ in range(count)])
        for i, subject in enumerate(subjects):
            email, name = f"customer{i:05d}@example.com", f"Customer Number {i:05d}"
            joined = now - dt.timedelta(minutes=i)
            user = User(subject=subject, email=email, full_name=name, date_joined=joined)
            user.set_unusable_password()
            users.append(user)
            twins.append(Plain(email=email, full_name=name, date_joined=joined,
                               password=user.password, subject_id=subject.id))
        for user in users:  # save(): the encrypted fields and the blind index are written
            user.save(force_insert=True)
        Plain.objects.bulk_create(twins)
        staff = User.objects.create_user("staff@example.com", None, full_name="Sam Staff",
                                         is_staff=True, is_superuser=True)  # the owner
    return users, staff


def _page_ratio(staff: Any) -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from django.core.paginator import Paginator
    from django.db.models import Value
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from strongroom.interfaces.console.forms import CustomerSearchForm
    from strongroom.protection.access.selectors import field_view
    from strongroom.protection.vault.internal import runtime
    from strongroom.protection.vault.selectors import keys_preload

    User, Plain = get_user_model(), _plain_twin()
    request = RequestFactory().get("/console/customers/", secure=True)
    request.user = staff
    request.csp_nonce = "bench"
    form = CustomerSearchForm({})
    form.is_valid()

    def page(model: Any, *, decrypt: bool) -> str:
        rows = (model.objects.filter(is_staff=False).annotate(order_count=Value(0))
                .order_by("-date_joined", "pk"))
        p = Paginator(rows, PAGE_ROWS).get_page(1)
        p.object_list = list(p.object_list)
        if decrypt:
            keys_preload(subject_ids=[staff.subject_id, *(c.subject_id for c in p.object_list)])
        rows = [(c, field_view(viewer=staff, row=c, names=("full_name", "email")))
                for c in p.object_list]  # as the console view masks them
        return render_to_string("console/customers/list.html",
                                {"form": form, "page": p, "rows": rows, "query": ""},
                                request=request)

    encrypted_html, plain_html = page(User, decrypt=True), page(Plain, decrypt=False)
    # Both sides must render the same page (row links differ only by primary key), and
    # the page must really show the rows' personal data (masked or not).
    def normalised(html: str) -> str:
        return re.sub(r'(href|action|id|value)="[^"]*"', "", html)

    assert normalised(encrypted_html) == normalised(plain_html), "pages differ"
    shown = encrypted_html.count("Customer Number") + encrypted_html.count("•")
    assert shown >= PAGE_ROWS, "the page shows no customer data"
    warm, plain = _best_pair(lambda: page(User, decrypt=True),
                             lambda: page(Plain, decrypt=False), number=3, rounds=40)

    def cold() -> str:
        runtime.keystore().forget_all()
        return page(User, decrypt=True)

    cold_time = _best(cold, number=30)
    return {
        "page_50_customers_ratio": warm / plain,
        "page_50_customers_cold_ratio": cold_time / plain,
        "page_plain_ms": plain * 1e3,
        "page_encrypted_ms": warm * 1e3,
    }


def _login_ratio(users: list[Any]) -> dict[str, float]:
    from django.contrib.auth import get_user_model

    User, Plain = get_user_model(), _plain_twin()
    email = "Customer00042@Example.com"  # as typed: any letter case
    assert User.objects.get_by_natural_key(email).pk == users[42].pk
    blind, plain = _best_pair(lambda: User.objects.get_by_natural_key(email),
                              lambda: Plain.objects.get(email=email.lower()), number=50, rounds=80)
    return {"login_lookup_ratio": blind / plain, "login_blind_us": blind * 1e6,
            "login_plain_us": plain * 1e6}


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


def run(*, rewrap_count: int = 100_000, customers: int = 200) -> dict[str, float]:
    """Every measurement, in a throwaway store; figures keyed by name."""
    results: dict[str, float] = {}
    with _throwaway_store():
        results.update(_field_ratios())
        users, staff = _customers_make(customers)
        results.update(_page_ratio(staff))
        results.update(_login_ratio(users))
        results["rewrap_100k_seconds"] = _rewrap(rewrap_count) * 100_000 / rewrap_count
    return results


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "BELOW TARGET"


def report(*, rewrap_count: int = 100_000) -> list[str]:
    """Printable lines: figure, ratio, target and verdict for each SPEC target."""
    r = run(rewrap_count=rewrap_count)
    t = TARGETS
    return [
        f"field decrypt          {r['field_decrypt_us']:7.2f} us vs bare AES-GCM "
        f"{r['bare_aesgcm_decrypt_us']:.2f} us  ratio {r['field_decrypt_ratio']:.2f}x  "
        f"(target <= {t['field_decrypt_ratio']:.2f}x)  "
        f"{_verdict(r['field_decrypt_ratio'], t['field_decrypt_ratio'])}",
        f"field encrypt          {r['field_encrypt_us']:7.2f} us vs bare AES-GCM "
        f"{r['bare_aesgcm_encrypt_us']:.2f} us  ratio {r['field_encrypt_ratio']:.2f}x  "
        "(no SPEC target)  info",
        f"console page, {PAGE_ROWS} customers {r['page_encrypted_ms']:6.2f} ms vs plaintext "
        f"{r['page_plain_ms']:.2f} ms  ratio {r['page_50_customers_ratio']:.2f}x  "
        f"(target <= {t['page_50_customers_ratio']:.2f}x)  "
        f"{_verdict(r['page_50_customers_ratio'], t['page_50_customers_ratio'])}",
        f"console page, cold key cache  ratio {r['page_50_customers_cold_ratio']:.2f}x  "
        "(first view within a minute; no SPEC target)  info",
        f"login lookup (blind index) {r['login_blind_us']:7.1f} us vs plaintext index "
        f"{r['login_plain_us']:.1f} us  ratio {r['login_lookup_ratio']:.2f}x  "
        f"(target <= {t['login_lookup_ratio']:.2f}x)  "
        f"{_verdict(r['login_lookup_ratio'], t['login_lookup_ratio'])}",
        f"rewrap 100,000 data keys (SQLite) {r['rewrap_100k_seconds']:6.1f} s  "
        f"(target <= {t['rewrap_100k_seconds']:.0f} s)  "
        f"{_verdict(r['rewrap_100k_seconds'], t['rewrap_100k_seconds'])}",
    ]


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strongroom.settings")
    import django

    django.setup()
    for line in report():
        print(line)
