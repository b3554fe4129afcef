"""``strongroom customers import``: all lines or none, problems by line, data encrypted."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from strongroom.commerce.customers import importing
from strongroom.commerce.customers.importing import customers_import
from strongroom.commerce.customers.models import Address
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.testing.factories import user_make

pytestmark = pytest.mark.django_db

HEADER = "email,full_name,phone,line1,line2,city,postal_code,country\n"
GOOD = HEADER + (
    "canary.one@example.test,Quentin Canaryone,+49 30 1234567,1 Canary Lane,,Berlin,10115,DE\n"
    "canary.two@example.test,Petra Canarytwo,,,,,,\n"
)


def _raw_database_text() -> str:
    """Every text and blob value of the tables that hold customers, as stored."""
    chunks = []
    with connection.cursor() as cursor:
        for table in ("accounts_user", "customers_address"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    chunks.append(str(value))
    return "\n".join(chunks)


def test_import_creates_encrypted_customers_found_by_email():
    report = customers_import(text=GOOD, source="old-shop.csv")
    assert report.created == 2 and report.errors == []
    User = get_user_model()
    one = User.objects.get_by_natural_key("Canary.One@example.test")
    assert one.full_name == "Quentin Canaryone" and not one.is_staff
    assert not one.has_usable_password()
    address = Address.objects.get(user=one)
    assert (address.line1, address.city, address.country, address.phone) == (
        "1 Canary Lane", "Berlin", "DE", "+49 30 1234567")
    assert address.subject_id == one.subject_id and address.is_default
    two = User.objects.get_by_natural_key("canary.two@example.test")
    assert not Address.objects.filter(user=two).exists()
    raw = _raw_database_text()
    for canary in ("canary.one", "Canaryone", "Canarytwo", "Canary Lane", "1234567"):
        assert canary not in raw
    events = list(AuditEntry.objects.filter(event__in=[
        AuditEvent.CUSTOMERS_IMPORTED, AuditEvent.ACCOUNT_CREATED]).values_list("event",
                                                                                  "reason"))
    assert events == [(AuditEvent.CUSTOMERS_IMPORTED, "2 customers from old-shop.csv")]


def test_any_bad_line_imports_nothing_and_names_every_line():
    user_make(email="taken@example.test")
    text = HEADER + (
        "fine@example.test,Fine Person,,,,,,\n"
        "not-an-email,Bad Email,,,,,,\n"
        "FINE@example.test,Duplicate,,,,,,\n"
        "taken@example.test,Existing,,,,,,\n"
        "far@example.test,Far Away,,1 Road,,Nowhere,1,XX\n"
        "phone@example.test,Phone Only,+1 555 0100,,,,,\n"
        f"long@example.test,{'x' * 151},,,,,,\n"
    )
    before = get_user_model().objects.count()
    report = customers_import(text=text)
    assert report.created == 0
    assert report.errors == [
        "line 3: email is not valid",
        "line 4: 'FINE@example.test' already appears on line 2",
        "line 5: an account with this email already exists",
        "line 6: We do not ship to that country.",
        "line 7: a phone number needs an address (line1, city, postal_code, country)",
        "line 8: full name is too long (at most 150 characters)",
    ]
    assert get_user_model().objects.count() == before


def test_an_interrupted_import_leaves_nothing(monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 1)
    before = get_user_model().objects.count()

    def stop(done: int, total: int) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        customers_import(text=GOOD, on_progress=stop)
    assert get_user_model().objects.count() == before
    assert not Address.objects.exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"name,city\nx,y\n", "must name the columns, including 'email'"),
    (b"email,shoe_size\na@example.test,9\n", "unknown column(s) shoe_size"),
    (b"email\n\xff\xfe@example.test\n", "is not UTF-8 text"),
    (b"email,full_name\na@example.test,A,extra\n", "line 2: more values than columns"),
])
def test_bad_files_are_one_clear_error_with_exit_2(tmp_path, content, message):
    path = tmp_path / "customers.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        call_command("customers", "import", str(path))
    assert message in str(caught.value) and caught.value.returncode == 2
    assert not get_user_model().objects.filter(is_staff=False).exists()


def test_command_missing_file_and_bad_lines_exit_2(tmp_path, capsys):
    with pytest.raises(CommandError) as caught:
        call_command("customers", "import", str(tmp_path / "nope.csv"))
    assert "no such file" in str(caught.value) and caught.value.returncode == 2
    path = tmp_path / "customers.csv"
    path.write_text(HEADER + "bad,Bad,,,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("customers", "import", str(path))
    assert caught.value.returncode == 2 and "nothing was imported" in str(caught.value)
    assert "line 2: email is not valid" in capsys.readouterr().err


def test_command_imports_a_file_with_a_byte_order_mark(tmp_path, capsys):
    path = tmp_path / "customers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    call_command("customers", "import", str(path))
    assert "imported 2 customer(s)" in capsys.readouterr().out


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_large_import_leaves_the_planner_statistics_current():
    """After a bulk load PostgreSQL plans from stale row estimates until autovacuum
    comes by: at a million imported customers the staff picker (``WHERE is_staff``) was
    planned for 280,000 rows (parallel and JIT-compiled, 64 ms instead of 0.1 ms). The
    import refreshes them, so the few staff accounts are estimated as a few rows."""
    user_make(email="boss@example.test", staff=True)
    text = HEADER + "".join(f"bulk{i}@example.test,Bulk {i},,,,,,\n" for i in range(400))

    def staff_estimate() -> float:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) SELECT id FROM accounts_user WHERE is_staff")
            plan = cursor.fetchone()[0]
        return (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]["Plan Rows"]

    assert customers_import(text=text).created == 400
    assert staff_estimate() <= 5
