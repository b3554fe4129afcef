"""LocalKMS: key files, permissions, env keys, batch wrap/unwrap."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.internal import keyfiles, keymaterial
from strongroom.protection.vault.internal.kms import LocalKMS, Wrapped

ENV_KEY = base64.b64encode(bytes(range(32))).decode()


def _kms(tmp_path: Path, env: str | None = None) -> LocalKMS:
    return LocalKMS(data_dir=tmp_path, env_value=env)


def test_first_version_is_created_private(tmp_path: Path) -> None:
    kms = _kms(tmp_path)
    assert kms.version_create() == 1
    path = keyfiles.kek_path(tmp_path, 1)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert kms.primary_version() == 1


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_group_readable_key_file_is_refused(tmp_path: Path) -> None:
    _kms(tmp_path).version_create()
    os.chmod(keyfiles.kek_path(tmp_path, 1), 0o640)
    with pytest.raises(KeyConfigError, match="chmod go-rwx"):
        _kms(tmp_path)


def test_no_key_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KeyConfigError, match="keys init"):
        _kms(tmp_path).primary_version()


def test_wrap_unwrap_batch_and_wrong_kek(tmp_path: Path) -> None:
    kms = _kms(tmp_path)
    kms.version_create()
    keys = [keymaterial.key_generate() for _ in range(3)]
    wrapped = kms.wrap_many(keys, [b"a", b"b", b"c"])
    assert [w.kek_version for w in wrapped] == [1, 1, 1]
    assert kms.unwrap_many([(w, a) for w, a in zip(wrapped, [b"a", b"b", b"c"])]) == keys  # noqa: B905
    # wrong associated data, unknown version, other KEK: None, never a wrong key
    other = _kms(tmp_path / "other")
    other.version_create()
    assert kms.unwrap_many([(wrapped[0], b"b")]) == [None]
    assert kms.unwrap_many([(Wrapped(9, wrapped[0].blob), b"a")]) == [None]
    assert other.unwrap_many([(wrapped[0], b"a")]) == [None]


def test_new_version_from_another_process_is_picked_up(tmp_path: Path) -> None:
    mine, theirs = _kms(tmp_path), _kms(tmp_path)
    mine.version_create()
    theirs.version_create()  # now v2 on disk; `mine` has not seen it
    wrapped = theirs.wrap_many([keymaterial.key_generate()], [b""])[0]
    assert wrapped.kek_version == 2
    assert mine.unwrap_many([(wrapped, b"")])[0] is not None
    assert mine.wrap_many([keymaterial.key_generate()], [b""])[0].kek_version == 2


def test_env_kek_single_and_versioned() -> None:
    assert LocalKMS(data_dir=Path("/nonexistent"), env_value=ENV_KEY).versions() == (1,)
    kms = LocalKMS(data_dir=Path("/nonexistent"), env_value=f"3:{ENV_KEY},1:{ENV_KEY}")
    assert kms.primary_version() == 3
    with pytest.raises(KeyConfigError, match="STRONGROOM_KEK"):
        kms.version_create()


@pytest.mark.parametrize(
    "bad", ["not base64!", base64.b64encode(b"short").decode(), "x:" + ENV_KEY]
)
def test_bad_env_kek_is_one_clear_error(bad: str) -> None:
    with pytest.raises(KeyConfigError, match="STRONGROOM_KEK"):
        LocalKMS(data_dir=Path("/nonexistent"), env_value=bad)


def test_kms_refuses_pickling(tmp_path: Path) -> None:
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(_kms(tmp_path))
