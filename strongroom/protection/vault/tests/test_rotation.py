"""Rotation that finishes: KEK rewrap, re-encryption, index keys; killed and resumed."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from strongroom.protection.vault import selectors, services
from strongroom.protection.vault.errors import KeyInUseError
from strongroom.protection.vault.internal import envelope, keyfiles, rotation, runtime
from strongroom.protection.vault.internal.kms import LocalKMS
from strongroom.protection.vault.models import DataKey, DataKeyState, IndexKey, Probe

pytestmark = pytest.mark.django_db


class Killed(Exception):
    pass


def _kill_after(calls: int, target: str):
    """Patch a LocalKMS method to die on its n-th call, like a process killed mid-run."""
    real = getattr(LocalKMS, target)
    seen = {"n": 0}

    def wrapper(self, *args, **kwargs):
        seen["n"] += 1
        if seen["n"] > calls:
            raise Killed()
        return real(self, *args, **kwargs)

    return mock.patch.object(LocalKMS, target, wrapper)


@pytest.fixture
def people(vault):
    probes = []
    for i in range(12):
        subject = services.subject_create()
        probes.append(
            Probe.objects.create(subject=subject, name=f"person {i}", email=f"p{i}@example.com")
        )
    return probes


def _names() -> set[str]:
    runtime.keystore().forget_all()
    return {p.name for p in Probe.objects.all()}


def test_kek_rotate_killed_halfway_then_resumed(people, settings) -> None:
    with _kill_after(2, "wrap_many"), pytest.raises(Killed):
        services.kek_rotate(batch_size=5)
    assert set(DataKey.objects.values_list("kek_version", flat=True)) == {1, 2}  # half done
    assert _names() == {f"person {i}" for i in range(12)}  # readable meanwhile
    services.kek_rotate(batch_size=5)  # resumes: no v3
    assert set(DataKey.objects.values_list("kek_version", flat=True)) == {2}
    assert set(IndexKey.objects.values_list("kek_version", flat=True)) == {2}
    status = {k.version: k for k in selectors.key_status().kek_versions}
    assert status[1].retirable and status[2].primary
    services.kek_retire(version=1)
    assert not keyfiles.kek_path(settings.STRONGROOM_DATA_DIR, 1).exists()
    assert _names() == {f"person {i}" for i in range(12)}


def test_retire_refuses_while_in_use(people) -> None:
    with _kill_after(1, "wrap_many"), pytest.raises(Killed):
        services.kek_rotate(batch_size=5)
    with pytest.raises(KeyInUseError, match="still protects"):
        services.kek_retire(version=1)
    with pytest.raises(KeyInUseError, match="primary"):
        services.kek_retire(version=2)
    assert keyfiles.kek_path(runtime.keystore().kms.data_dir, 1).exists()


def test_reencrypt_killed_halfway_then_resumed(people) -> None:
    old_ids = set(DataKey.objects.values_list("id", flat=True))
    clock = {"now": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)}
    now = lambda: clock["now"]  # noqa: E731
    with _kill_after(1, "wrap_many"), pytest.raises(Killed):
        services.data_reencrypt(batch_size=4, now=now)
    assert _names() == {f"person {i}" for i in range(12)}
    report = services.data_reencrypt(batch_size=4, now=now)  # resumes; grace not passed yet
    assert report.keys_waiting == 12 and report.keys_deleted == 0
    clock["now"] += services.REENCRYPT_GRACE
    report = services.data_reencrypt(batch_size=4, now=now)
    assert report.keys_deleted == 12 and report.keys_waiting == 0
    assert not DataKey.objects.filter(id__in=old_ids).exists()
    assert not DataKey.objects.filter(state=DataKeyState.RETIRING).exists()
    new_ids = set(DataKey.objects.values_list("id", flat=True))
    for probe in Probe.objects.all():
        assert envelope.key_id_of(probe.__dict__["name"]) in new_ids
    assert _names() == {f"person {i}" for i in range(12)}


def test_index_rotation_keeps_logins_working(people) -> None:
    lookup = lambda: Probe.objects.filter(  # noqa: E731
        email_index__in=selectors.blind_index_candidates("email", "P3@example.com")
    )  # noqa: E731
    assert lookup().count() == 1
    with _kill_after(0, "unwrap_many"), pytest.raises(Killed):
        services.index_key_rotate(batch_size=5)  # v2 created, re-index killed
    runtime.keystore().forget_all()
    assert len(selectors.blind_index_candidates("email", "x@y.z")) == 2
    assert lookup().count() == 1  # rows still under v1 match via the v1 candidate
    with pytest.raises(KeyInUseError, match="reindex"):
        services.index_key_retire(version=1)
    services.index_rows_reindex(batch_size=5)
    assert all(p.email_index.startswith("2$") for p in Probe.objects.all())
    services.index_key_retire(version=1)
    assert lookup().count() == 1 and len(selectors.blind_index_candidates("email", "x@y.z")) == 1


def test_keys_command(people, capsys) -> None:
    call_command("keys", "status")
    assert "KEK v1: 12 data keys" in capsys.readouterr().out
    call_command("keys", "rotate", "--batch-size", "5")
    captured = capsys.readouterr()
    assert "rewrapped 13 keys" in captured.out and "100%" in captured.err
    call_command("keys", "retire", "1")
    for bad in (
        ["retire", "2"],
        ["retire", "9"],
        ["retire-index", "1"],
        ["rotate", "--batch-size", "0"],
    ):
        with pytest.raises(CommandError):
            call_command("keys", *bad)


def test_keys_rotate_reencrypt_command_finishes(people, capsys) -> None:
    with mock.patch.object(services, "REENCRYPT_GRACE", dt.timedelta(0)):
        call_command("keys", "rotate", "--reencrypt", "--batch-size", "5")
    out = capsys.readouterr().out
    assert "deleted 12 old data keys; 0 still waiting" in out
    assert _names() == {f"person {i}" for i in range(12)}


def _kek_versions() -> list[int]:
    return sorted(runtime.keystore().kms.versions())


@pytest.mark.parametrize("phase", ["between-phases", "reencrypt-batch"])
def test_keys_rotate_reencrypt_killed_then_rerun_finishes_the_same_rotation(
    people, phase, capsys
) -> None:
    """A crash after the rewrap (between the phases, or at a batch boundary of the
    re-encryption): running the command again must finish that rotation, not start a
    KEK v3 and leave v1's re-encryption half done."""
    real_batch = rotation._reencrypt_batch
    seen = {"n": 0}

    def dying_batch(*args, **kwargs):
        seen["n"] += 1
        if seen["n"] > 1:
            raise Killed()
        return real_batch(*args, **kwargs)

    def dying_phase(**kwargs):
        raise Killed()

    patch = (
        mock.patch.object(services, "data_reencrypt", dying_phase)
        if phase == "between-phases"
        else mock.patch.object(rotation, "_reencrypt_batch", dying_batch)
    )
    with mock.patch.object(services, "REENCRYPT_GRACE", dt.timedelta(0)):
        with patch, pytest.raises(Killed):
            call_command("keys", "rotate", "--reencrypt", "--batch-size", "5")
        assert _kek_versions() == [1, 2]
        assert DataKey.objects.filter(state=DataKeyState.RETIRING).exists()
        assert _names() == {f"person {i}" for i in range(12)}  # readable meanwhile
        call_command("keys", "rotate", "--reencrypt", "--batch-size", "5")
    assert "finishing the rotation that was interrupted" in capsys.readouterr().err
    assert _kek_versions() == [1, 2]  # the same rotation, finished: no v3
    assert not DataKey.objects.filter(state=DataKeyState.RETIRING).exists()
    assert set(DataKey.objects.values_list("kek_version", flat=True)) == {2}
    assert DataKey.objects.count() == 12
    assert _names() == {f"person {i}" for i in range(12)}
    services.kek_retire(version=1)  # nothing is left on the old KEK


def test_plain_rotate_after_interrupted_reencrypt_points_to_finishing_it(people, capsys) -> None:
    with mock.patch.object(services, "data_reencrypt", side_effect=Killed()), pytest.raises(
        Killed
    ):
        call_command("keys", "rotate", "--reencrypt")
    call_command("keys", "rotate")
    assert _kek_versions() == [1, 2]
    assert "run `strongroom keys rotate --reencrypt` to finish it" in capsys.readouterr().err
