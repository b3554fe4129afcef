"""Ciphertext format: known-answer vectors, negative cases, properties. No database."""

from __future__ import annotations

import pickle
import uuid
from copy import deepcopy

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st

from strongroom.protection.vault.internal import envelope, keymaterial
from strongroom.protection.vault.internal.envelope import EnvelopeError
from strongroom.protection.vault.internal.keymaterial import Key

RAW = bytes(range(32))
KEY = Key(RAW)
NONCE = bytes(range(100, 112))
CONTEXT = envelope.field_context("customers.Customer", "email")
ROW = uuid.UUID("12345678-1234-5678-1234-567812345678").bytes

# Pinned: changing the format or the associated data breaks every stored ciphertext.
KAT_V1 = (
    "01000000000000002a"
    "6465666768696a6b6c6d6e6f"
    "2977b7051ca933e65f0f2f84bf4b09922f34347dd864cb535d1d9264a36b634ecc"
)


def _seal_fixed(plaintext: bytes, key_id: int = 42, version: int = 1) -> bytes:
    head = envelope.header(key_id, version)
    if version == 2:
        plaintext = envelope.pad(plaintext)
    return (
        head + NONCE + keymaterial.aead_seal_with_nonce(KEY, NONCE, plaintext, head + CONTEXT + ROW)
    )


def test_known_answer_matches_independent_aesgcm() -> None:
    head = bytes([1]) + (42).to_bytes(8, "big")
    aad = head + b"strongroom.vault.v1\x00customers.Customer\x00email\x00" + ROW
    expected = head + NONCE + AESGCM(RAW).encrypt(NONCE, b"alice@example.com", aad)
    assert _seal_fixed(b"alice@example.com") == expected
    assert envelope.open_(KEY, expected, CONTEXT, ROW) == b"alice@example.com"


def test_known_answer_vector_is_stable() -> None:
    blob = _seal_fixed(b"alice@example.com")
    assert blob.hex() == KAT_V1
    assert envelope.key_id_of(blob) == 42


@pytest.mark.parametrize(
    ("context", "row", "key"),
    [
        (envelope.field_context("customers.Customer", "phone"), ROW, KEY),  # other column
        (CONTEXT, uuid.UUID(int=1).bytes, KEY),  # other row
        (envelope.field_context("orders.Order", "email"), ROW, KEY),  # other table
        (CONTEXT, ROW, Key(bytes(32))),  # wrong key
    ],
)
def test_open_fails_outside_its_binding(context: bytes, row: bytes, key: Key) -> None:
    with pytest.raises(EnvelopeError):
        envelope.open_(key, _seal_fixed(b"x"), context, row)


def test_truncated_and_wrong_version_fail() -> None:
    blob = _seal_fixed(b"secret")
    for bad in (blob[:-1], blob[: envelope.MIN_BYTES - 1], b"", bytes([2]) + blob[1:],
                bytes([3]) + blob[1:], bytes([0]) + blob[1:]):
        with pytest.raises(EnvelopeError):
            envelope.open_(KEY, bad, CONTEXT, ROW)


def test_edited_key_id_fails() -> None:
    blob = bytearray(_seal_fixed(b"secret"))
    blob[8] ^= 1
    with pytest.raises(EnvelopeError):
        envelope.open_(KEY, bytes(blob), CONTEXT, ROW)


@given(st.binary(max_size=2048), st.integers(1, 2**64 - 1))
def test_round_trip(plaintext: bytes, key_id: int) -> None:
    blob = envelope.seal(KEY, key_id, plaintext, CONTEXT, ROW)
    assert envelope.key_id_of(blob) == key_id
    assert envelope.open_(KEY, blob, CONTEXT, ROW) == plaintext


@given(st.binary(max_size=256), st.data())
def test_any_single_bit_flip_is_detected(plaintext: bytes, data: st.DataObject) -> None:
    blob = bytearray(envelope.seal(KEY, 7, plaintext, CONTEXT, ROW))
    position = data.draw(st.integers(0, len(blob) - 1))
    blob[position] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(EnvelopeError):
        envelope.open_(KEY, bytes(blob), CONTEXT, ROW)


def test_nonces_differ() -> None:
    assert envelope.seal(KEY, 1, b"same", CONTEXT, ROW) != envelope.seal(
        KEY, 1, b"same", CONTEXT, ROW
    )


def test_keys_refuse_pickling_and_copying_and_mask_repr() -> None:
    key = keymaterial.key_generate()
    for attempt in (lambda: pickle.dumps(key), lambda: deepcopy(key)):
        with pytest.raises(TypeError):
            attempt()
    assert "***" in repr(key) and RAW.hex() not in repr(KEY) and str(list(RAW)) not in repr(KEY)


def test_key_must_be_32_bytes() -> None:
    with pytest.raises(keymaterial.KeyMaterialError):
        Key(b"short")


# --- format 2: padded to length buckets, NULL as an encrypted marker ------------------------

KAT_V2 = (
    "02000000000000002a"
    "6465666768696a6b6c6d6e6f"
)


def test_v2_known_answer_matches_independent_aesgcm() -> None:
    head = bytes([2]) + (42).to_bytes(8, "big")
    aad = head + b"strongroom.vault.v1\x00customers.Customer\x00email\x00" + ROW
    padded = b"\x01alice@example.com\x80" + bytes(32 - 19)
    expected = head + NONCE + AESGCM(RAW).encrypt(NONCE, padded, aad)
    assert _seal_fixed(b"alice@example.com", version=2) == expected
    assert expected.hex().startswith(KAT_V2)
    assert envelope.open_(KEY, expected, CONTEXT, ROW) == b"alice@example.com"
    null = head + NONCE + AESGCM(RAW).encrypt(NONCE, b"\x00\x80" + bytes(30), aad)
    assert envelope.open_(KEY, null, CONTEXT, ROW) is None


def test_v2_known_answer_vector_is_stable() -> None:
    blob = _seal_fixed(b"alice@example.com", version=2)
    assert blob.hex() == (
        KAT_V2 + "497ab20f1a8c16fb46033298b600449e2daf860a8b6cf372a7d1ac48fba3a548"
        "d44067a190624ec1eb95fb0baae37e92"
    )


@pytest.mark.parametrize(("length", "size"), [
    (0, 32), (1, 32), (30, 32), (31, 64), (62, 64), (63, 128), (4094, 4096), (4095, 8192),
    (8190, 8192), (8191, 12288),
])
def test_bucket_sizes(length: int, size: int) -> None:
    assert len(envelope.pad(b"x" * length)) == size
    assert envelope.unpad(envelope.pad(b"x" * length)) == b"x" * length


def test_lengths_in_a_bucket_and_null_give_equal_ciphertext_lengths() -> None:
    sizes = {len(envelope.seal(KEY, 1, value, CONTEXT, ROW))
             for value in (None, b"", b"a", b"alice@example.com", b"x" * 30)}
    assert sizes == {9 + 12 + 32 + 16}
    assert len(envelope.seal(KEY, 1, b"x" * 31, CONTEXT, ROW)) == 9 + 12 + 64 + 16


def test_v1_still_opens_and_cannot_hold_null() -> None:
    blob = bytes.fromhex(KAT_V1)
    assert envelope.format_of(blob) == 1
    assert envelope.open_(KEY, blob, CONTEXT, ROW) == b"alice@example.com"
    with pytest.raises(ValueError, match="NULL"):
        envelope.seal(KEY, 1, None, CONTEXT, ROW, version=1)


def test_relabelling_the_format_version_fails_the_tag() -> None:
    v2 = _seal_fixed(b"alice", version=2)
    v1 = _seal_fixed(b"alice", version=1)
    for blob, other in ((v2, 1), (v1, 2)):
        with pytest.raises(EnvelopeError):
            envelope.open_(KEY, bytes([other]) + blob[1:], CONTEXT, ROW)


@pytest.mark.parametrize("padded", [
    b"", b"\x01", b"\x01abc" + bytes(28), b"\x01abc\x80" + bytes(27) + b"\x01",
    b"\x02abc\x80" + bytes(28), b"\x00a\x80" + bytes(29), b"\x01abc\x80" + bytes(60),
    b"\x80" + bytes(31),
])
def test_malformed_padding_is_refused_even_with_a_valid_tag(padded: bytes) -> None:
    head = envelope.header(5, 2)
    blob = head + NONCE + keymaterial.aead_seal_with_nonce(KEY, NONCE, padded, head + CONTEXT + ROW)
    with pytest.raises(EnvelopeError):
        envelope.open_(KEY, blob, CONTEXT, ROW)


@given(st.one_of(st.none(), st.binary(max_size=5000)), st.integers(1, 2**64 - 1))
def test_v2_round_trip(plaintext: bytes | None, key_id: int) -> None:
    blob = envelope.seal(KEY, key_id, plaintext, CONTEXT, ROW)
    assert envelope.format_of(blob) == 2
    assert envelope.open_(KEY, blob, CONTEXT, ROW) == plaintext
