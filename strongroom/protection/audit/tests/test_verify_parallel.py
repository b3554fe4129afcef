"""`audit verify --workers N`: the chains walked in N processes give the sequential
report, tampering on several chains at once included; a worker that cannot finish is
a clear error (never a hang, never a clean bill of health); bad ``--workers`` values
are one line and exit status 2.

The per-tampering cases (edit, delete, insert, reorder, truncation, rewrite) run with
1 and 2 processes in test_verify.py."""

import os
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection, connections, transaction

from strongroom.protection.audit import selectors
from strongroom.protection.audit.errors import AuditUsageError
from strongroom.protection.audit.internal import chain as chainlib
from strongroom.protection.audit.internal import verify as verifylib
from strongroom.protection.audit.management.commands.audit import Command

from .conftest import sql

PER_CHAIN = 40
COLS = ", ".join((*chainlib.COLUMNS, "digest"))
INSERT = (f"INSERT INTO audit_event ({COLS}) "  # noqa: S608
          f"VALUES ({', '.join(['%s'] * (len(chainlib.COLUMNS) + 1))})")


def fill(per_chain: int = PER_CHAIN) -> None:
    """Valid events on every chain, heads moved to match (as audit_record leaves them)."""
    now = time.time_ns() // 1000
    with transaction.atomic(), connection.cursor() as cursor:
        for c in range(chainlib.CHAINS):
            prev = chainlib.genesis(c)
            for seq in range(1, per_chain + 1):
                row = (c, seq, now + seq, 2000, 3, "staff-1", "", "customers.customer",
                       str(seq), "email", f"ticket {c}-{seq}", "", "")
                prev = chainlib.digest_of(prev, row)
                cursor.execute(INSERT, [*row, prev])
            cursor.execute("UPDATE audit_chainhead SET seq = %s, digest = %s WHERE chain = %s",
                           [per_chain, prev, c])


def same_report(workers: int) -> selectors.VerifyReport:
    parallel = selectors.audit_verify(workers=workers)
    alone = selectors.audit_verify(workers=1)
    assert (parallel.workers, alone.workers) == (min(workers, chainlib.CHAINS), 1)
    assert (parallel.problems, parallel.events, parallel.chains, parallel.notes) == (
        alone.problems, alone.events, alone.chains, alone.notes)
    return parallel


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", [2, 3, 16])
def test_clean_log_on_every_chain(audit_dir, workers):
    fill()
    report = same_report(workers)
    assert report.ok, report.problems
    assert (report.events, report.chains) == (PER_CHAIN * chainlib.CHAINS, chainlib.CHAINS)


@pytest.mark.django_db(transaction=True)
def test_tampering_on_several_chains_is_reported_per_chain_in_chain_order(audit_dir, attacker):
    fill()
    sql("UPDATE audit_event SET reason = 'harmless' WHERE chain = 11 AND seq = 5")
    sql("DELETE FROM audit_event WHERE chain = 2 AND seq = 30")
    sql("UPDATE audit_event SET reason = 'first' WHERE chain = 7 AND seq = 3")
    sql("UPDATE audit_event SET reason = 'second' WHERE chain = 7 AND seq = 9")
    sql("DELETE FROM audit_event WHERE chain = 14 AND seq > 35")  # a truncated tail
    report = same_report(2)
    assert [(p.kind, p.chain, p.seq) for p in report.problems] == [
        ("deleted", 2, 30), ("edited", 7, 3), ("edited", 11, 5), ("truncated", 14, 36)]


@pytest.mark.django_db
def test_parallel_inside_a_transaction_is_refused():
    # Workers read committed rows only: inside the caller's transaction they would
    # verify another log than the caller sees (and closing its connection would end it).
    with pytest.raises(AuditUsageError, match="outside a transaction"):
        selectors.audit_verify(workers=2)
    assert selectors.audit_verify(workers=1).ok


# --- a worker that cannot finish ---------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_worker_that_cannot_reach_the_database_is_a_clear_error(audit_dir, monkeypatch):
    fill(5)
    wrapper = type(connections["default"])
    parent, real = os.getpid(), wrapper.get_new_connection

    def unreachable(self, params):
        if os.getpid() != parent:
            raise OperationalError("connection to server failed: Connection refused")
        return real(self, params)

    monkeypatch.setattr(wrapper, "get_new_connection", unreachable)
    with pytest.raises(verifylib.VerifyWorkerFailed,
                       match=r"chains .* failed in a worker process \(OperationalError: "
                             r"connection to server failed.*nothing was concluded"):
        selectors.audit_verify(workers=2)
    with pytest.raises(CommandError, match="failed in a worker process") as failed:
        call_command("audit", "verify", "--workers", "2")  # one line, exit status 1
    assert "\n" not in str(failed.value)
    monkeypatch.undo()
    assert selectors.audit_verify(workers=2).ok  # the parent's own connection still works


@pytest.mark.django_db(transaction=True)
def test_worker_that_dies_is_a_clear_error_not_a_hang(audit_dir, monkeypatch):
    fill(5)
    parent, real = os.getpid(), verifylib._walk_one

    def killed(chain, marks):
        if os.getpid() != parent:
            os._exit(9)  # as if the OOM killer struck
        return real(chain, marks)

    monkeypatch.setattr(verifylib, "_walk_one", killed)
    with pytest.raises(verifylib.VerifyWorkerFailed, match="worker process died"):
        selectors.audit_verify(workers=2)


# --- the command line -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "-3", "x", "1.5", ""])
def test_bad_workers_value_is_one_line_and_exit_2(value, capsys):
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["strongroom", "audit", "--skip-checks", "verify",
                                 "--workers", value])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "--workers must be a whole number of processes, 1 or more" in err
    assert repr(value) in err


def test_default_workers_is_every_cpu_at_most_one_per_chain():
    cpus = len(os.sched_getaffinity(0))
    assert verifylib.workers_default() == max(1, min(cpus, chainlib.CHAINS))
