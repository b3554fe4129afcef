"""Backups to a real S3 server (SeaweedFS) through boto3: the copy is written, read back,
listed, verified, restored from, and holds no readable customer data; a wrong secret is
one clear error."""

from __future__ import annotations

import secrets

import boto3
import pytest

from strongroom.config import BackupConfig
from strongroom.protection.backups.internal.destinations import destination_for
from strongroom.protection.backups.services import backup_restore, backup_run, backup_verify

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def s3_only(seaweed, settings, tmp_path):
    url = f"s3://strongroom-tests/shop-{secrets.token_hex(4)}/backups"
    settings.STRONGROOM_BACKUPS = BackupConfig(
        destinations=(f"file://{tmp_path / 'disk'}", url), s3_endpoint=seaweed["endpoint"],
        s3_access_key=seaweed["access"], s3_secret_key=seaweed["secret"])
    return url


def test_backup_to_s3_read_back_verified_and_restored(store, s3_only, seaweed, recovery_key,
                                                       into):
    row, errors = backup_run(progress=lambda _m: None)
    assert errors == []
    assert {c.destination: c.ok for c in row.copies.all()}[s3_only] is True
    assert destination_for(s3_only).ids() == [row.backup_id]
    # What a thief with the bucket gets: three objects, no readable customer data.
    bucket = s3_only[5:].split("/")[0]
    client = boto3.client("s3", endpoint_url=seaweed["endpoint"], region_name="us-east-1",
                          aws_access_key_id=seaweed["access"],
                          aws_secret_access_key=seaweed["secret"])
    prefix = s3_only[5:].split("/", 1)[1]
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]]
    assert sorted(k.rsplit("/", 1)[1] for k in keys) == [
        "manifest.json", "manifest.sig", "payload.tar.gz.age"]
    needles = [store["canary"]["email"].lower().encode(),
               store["canary"]["full_name"].lower().encode(), store["product"].lower().encode()]
    for key in keys:
        blob = client.get_object(Bucket=bucket, Key=key)["Body"].read().lower()
        assert not [n for n in needles if n in blob], key
    assert backup_verify(backup_id=row.backup_id, source=s3_only, identity=None) == {
        s3_only: "ok"}
    result = backup_restore(backup_id=row.backup_id, source=s3_only,
                            identity_path=recovery_key, into=into, progress=lambda _m: None)
    assert result.source == s3_only and result.report["decrypt_failed"] == 0


def test_wrong_s3_secret_is_a_clear_destination_error(store, seaweed, settings, tmp_path,
                                                      recovery_key):
    url = "s3://strongroom-wrong/shop"
    settings.STRONGROOM_BACKUPS = BackupConfig(
        destinations=(f"file://{tmp_path / 'disk'}", url), s3_endpoint=seaweed["endpoint"],
        s3_access_key=seaweed["access"], s3_secret_key="not-the-secret")
    row, errors = backup_run(progress=lambda _m: None)
    assert len(errors) == 1 and errors[0].startswith(f"{url}: access denied (a wrong S3")
    assert "not-the-secret" not in errors[0]
