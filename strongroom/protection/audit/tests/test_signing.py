import base64
import copy
import pickle
import stat

import pytest

from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.signing import (
    public_key_load,
    signature_valid,
    signing_key_ensure,
    signing_key_load,
    signing_key_path,
)


def test_created_once_private_0600_public_exported(tmp_path):
    assert signing_key_ensure(data_dir=tmp_path) is True
    assert signing_key_ensure(data_dir=tmp_path) is False  # kept, never overwritten
    path = signing_key_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    key = signing_key_load(data_dir=tmp_path)
    assert public_key_load(data_dir=tmp_path) == key.public_b64
    assert len(base64.b64decode(key.public_b64)) == 32


def test_sign_and_verify_and_negative_cases(tmp_path):
    signing_key_ensure(data_dir=tmp_path)
    key = signing_key_load(data_dir=tmp_path)
    sig = key.sign(b"heads")
    assert signature_valid(public_b64=key.public_b64, message=b"heads", signature=sig)
    assert not signature_valid(public_b64=key.public_b64, message=b"heads!", signature=sig)
    assert not signature_valid(public_b64=key.public_b64, message=b"heads", signature=sig[:-1])
    assert not signature_valid(public_b64="not base64", message=b"heads", signature=sig)
    other = tmp_path / "other"
    signing_key_ensure(data_dir=other)
    assert not signature_valid(public_b64=public_key_load(data_dir=other), message=b"heads",
                               signature=sig)


def test_key_handle_never_leaks(tmp_path):
    signing_key_ensure(data_dir=tmp_path)
    key = signing_key_load(data_dir=tmp_path)
    secret = signing_key_path(tmp_path).read_text().strip()
    assert secret not in repr(key) and "***" in repr(key) and secret not in str(key)
    with pytest.raises(TypeError):
        pickle.dumps(key)
    with pytest.raises(TypeError):
        copy.deepcopy(key)


def test_missing_or_exposed_key_is_one_clear_error(tmp_path):
    with pytest.raises(KeyConfigError, match="strongroom init"):
        signing_key_load(data_dir=tmp_path)
    signing_key_ensure(data_dir=tmp_path)
    signing_key_path(tmp_path).chmod(0o644)
    with pytest.raises(KeyConfigError, match="chmod 600"):
        signing_key_load(data_dir=tmp_path)
