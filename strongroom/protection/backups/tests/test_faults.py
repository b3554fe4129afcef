"""Faults: a read-only destination, a full disk, S3 down, and a backup killed with SIGKILL
half-way."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from strongroom.config import BackupConfig
from strongroom.protection.alerts.selectors import alerts_open
from strongroom.protection.backups.internal.destinations import FileDestination
from strongroom.protection.backups.internal.snapshot import database_url
from strongroom.protection.backups.models import Backup
from strongroom.protection.backups.services import backup_run

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder on a read-only file system (a tmpfs mounted ro), or an immutable folder
    where mounting is not allowed."""
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs",
                              str(folder)], capture_output=True, check=False).returncode == 0
    if not mounted and subprocess.run(["chattr", "+i", str(folder)], capture_output=True,
                                      check=False).returncode:
        if os.geteuid() != 0:
            folder.chmod(0o500)
        else:
            pytest.skip("cannot make a read-only folder here (no mount, no chattr)")
    yield folder
    if mounted:
        subprocess.run(["umount", str(folder)], check=False)
    else:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
        folder.chmod(0o700)


def test_read_only_destination_is_one_clear_error_and_the_others_still_get_it(
        store, tmp_path, recovery_key, read_only_folder, settings, capsys):
    good = tmp_path / "good"
    settings.STRONGROOM_BACKUPS = BackupConfig(
        destinations=(f"file://{read_only_folder}/backups", f"file://{good}"))
    with pytest.raises(SystemExit) as caught:
        call_command("backup", "run")
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert f"file://{read_only_folder}/backups: the destination is " in err
    assert "read-only" in err or "not writable" in err
    assert "Traceback" not in err
    assert len(FileDestination(f"file://{good}").ids()) == 1
    alert = alerts_open()[0]
    assert alert.kind == "backups.destination_failed" and alert.severity == "high"
    assert Backup.objects.get().status == Backup.Status.COMPLETE


@pytest.fixture
def full_folder(tmp_path):
    """A folder on a file system with 16 KiB of room (a small tmpfs): a backup does not
    fit, and the write fails with ENOSPC as on a full disk."""
    folder = tmp_path / "full"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(folder)],
                      capture_output=True, check=False).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def test_full_disk_is_one_clear_error_nothing_half_written_and_the_others_still_get_it(
        store, tmp_path, recovery_key, full_folder, settings, capsys):
    good = tmp_path / "good"
    settings.STRONGROOM_BACKUPS = BackupConfig(
        destinations=(f"file://{full_folder}/backups", f"file://{good}"))
    with pytest.raises(SystemExit) as caught:
        call_command("backup", "run")
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert f"file://{full_folder}/backups: no space left on the destination's disk" in err
    assert "Traceback" not in err
    # The full destination holds no archive that could pass for a backup.
    assert FileDestination(f"file://{full_folder}/backups").ids() == []
    assert [p.name for p in full_folder.rglob("*") if p.is_file()] == []  # no partial file
    assert len(FileDestination(f"file://{good}").ids()) == 1
    alert = alerts_open()[0]
    assert alert.kind == "backups.destination_failed" and alert.severity == "high"
    assert Backup.objects.get().status == Backup.Status.COMPLETE


def test_s3_down_the_folders_still_get_the_backup_and_an_alert_is_raised(
        store, folders, recovery_key, settings):
    settings.STRONGROOM_BACKUPS = BackupConfig(
        destinations=(*settings.STRONGROOM_BACKUPS.destinations, "s3://strongroom/shop"),
        s3_endpoint=f"http://127.0.0.1:{_closed_port()}", s3_access_key="k",
        s3_secret_key="s")
    row, errors = backup_run(progress=lambda _m: None)
    assert row.status == Backup.Status.COMPLETE
    assert len(errors) == 1 and errors[0].startswith("s3://strongroom/shop: unreachable")
    for folder in folders:
        assert FileDestination(f"file://{folder}").ids() == [row.backup_id]
    copies = {c.destination: c.ok for c in row.copies.all()}
    assert copies["s3://strongroom/shop"] is False
    [alert] = alerts_open()
    assert alert.kind == "backups.destination_failed"
    assert alert.detail == {"destination": "s3://strongroom/shop", "backup_id": row.backup_id}
    assert "k" not in alert.summary.split() and "s" not in alert.summary.split()


def test_no_destination_takes_it_is_a_failed_backup(store, recovery_key, settings,
                                                    read_only_folder):
    settings.STRONGROOM_BACKUPS = BackupConfig(destinations=(f"file://{read_only_folder}/b",))
    with pytest.raises(CommandError, match="no destination took the backup") as caught:
        call_command("backup", "run")
    assert caught.value.returncode == 2
    assert Backup.objects.get().status == Backup.Status.FAILED


@pytest.mark.parametrize("kill_at", ["verifying it in a scratch", "sending to"])
def test_sigkill_mid_backup_leaves_nothing_marked_complete(store, folders, recovery_key,
                                                           settings, kill_at):
    destinations = ",".join(settings.STRONGROOM_BACKUPS.destinations)
    env = {**os.environ, "STRONGROOM_BACKUP_DESTINATIONS": destinations,
           "STRONGROOM_DATABASE_URL": database_url(connection.settings_dict,
                                                   str(connection.settings_dict["NAME"]))}
    child = subprocess.Popen([sys.executable, "-m", "strongroom", "backup", "run"], env=env,
                             stdout=subprocess.PIPE, text=True)
    for line in child.stdout:
        if kill_at in line:
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    killed = Backup.objects.get()
    assert killed.status == Backup.Status.RUNNING  # never "complete"
    for folder in folders:
        listed = FileDestination(f"file://{folder}").ids() if folder.exists() else []
        # a copy that finished its atomic rename before the kill is whole: it verifies
        for backup_id in listed:
            assert (folder / backup_id / "manifest.sig").exists()
            call_command("backup", "verify", backup_id, "--from", f"file://{folder}")
    staging = Path(settings.STRONGROOM_DATA_DIR) / "backups" / "staging"
    assert len(list(staging.iterdir())) == 1  # the killed run's plaintext, until...
    row, errors = backup_run(progress=lambda _m: None)  # ...the next run cleans it up
    assert errors == [] and list(staging.iterdir()) == []
    for folder in folders:
        assert not [p for p in folder.iterdir() if p.name.startswith(".partial-")]
        assert row.backup_id in FileDestination(f"file://{folder}").ids()
