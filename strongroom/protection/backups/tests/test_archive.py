"""The archive format on its own: the signed manifest and the payload checksum refuse
every alteration; the tar reader refuses paths that leave the restore folder."""

from __future__ import annotations

import io
import tarfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from strongroom.protection.backups.internal import archive
from strongroom.protection.vault.signing import SigningKey


def _key() -> SigningKey:
    return SigningKey(Ed25519PrivateKey.generate())


def _manifest(key: SigningKey) -> dict:
    return {"format": archive.FORMAT, "id": "20260101T000000Z-abcdef", "counts": {"t": 3},
            "payload": {"name": archive.PAYLOAD, "sha256": "00" * 32, "bytes": 1},
            "signing_key_id": key.key_id}


def test_signed_manifest_round_trips_and_any_edit_is_refused():
    key = _key()
    manifest = _manifest(key)
    raw, sig = archive.manifest_bytes(manifest), archive.manifest_sign(manifest, key)
    assert archive.manifest_check(raw=raw, signature=sig, public_b64=key.public_b64) == manifest
    edited = raw.replace(b'"t":3', b'"t":4')
    with pytest.raises(archive.ArchiveError, match="signature is invalid"):
        archive.manifest_check(raw=edited, signature=sig, public_b64=key.public_b64)
    with pytest.raises(archive.ArchiveError, match="malformed"):
        archive.manifest_check(raw=raw, signature=b"not base64!", public_b64=key.public_b64)


def test_a_backup_forged_with_another_key_is_refused():
    """Anyone can encrypt to the recovery recipient; only the store's key signs."""
    store, forger = _key(), _key()
    forged = {**_manifest(forger)}
    sig = archive.manifest_sign(forged, forger)
    with pytest.raises(archive.ArchiveError, match="another key"):
        archive.manifest_check(raw=archive.manifest_bytes(forged), signature=sig,
                               public_b64=store.public_b64)
    forged["signing_key_id"] = store.key_id  # claims the store's key id
    sig = archive.manifest_sign(forged, forger)
    with pytest.raises(archive.ArchiveError, match="signature is invalid"):
        archive.manifest_check(raw=archive.manifest_bytes(forged), signature=sig,
                               public_b64=store.public_b64)


def test_a_checkpoint_signature_is_not_a_manifest_signature():
    """The same key signs audit checkpoints: a domain prefix keeps the two apart."""
    key = _key()
    manifest = _manifest(key)
    bare = key.sign(archive.manifest_bytes(manifest))
    import base64

    with pytest.raises(archive.ArchiveError):
        archive.manifest_check(raw=archive.manifest_bytes(manifest),
                               signature=base64.b64encode(bare), public_b64=key.public_b64)


def test_payload_checksum(tmp_path):
    payload = tmp_path / "p"
    payload.write_bytes(b"ciphertext")
    manifest = {"payload": {"sha256": archive.sha256_file(payload), "bytes": 10}}
    archive.payload_check(payload, manifest)
    payload.write_bytes(b"ciphertexT")
    with pytest.raises(archive.ArchiveError, match="SHA-256"):
        archive.payload_check(payload, manifest)


def test_pack_unpack_and_path_traversal_refused(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("hello")
    tar = tmp_path / "x.tar.gz"
    archive.pack(tar_path=tar, members={"files/a.txt": src})
    assert archive.unpack(tar_path=tar, into=tmp_path / "out") == ["files/a.txt"]
    assert (tmp_path / "out" / "files" / "a.txt").read_text() == "hello"
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as handle:
        info = tarfile.TarInfo("../../escaped.txt")
        info.size = 3
        handle.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(archive.ArchiveError):
        archive.unpack(tar_path=evil, into=tmp_path / "out2")
    assert not (tmp_path / "escaped.txt").exists()
