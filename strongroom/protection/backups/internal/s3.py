"""S3-compatible object storage through boto3 (AWS, MinIO, SeaweedFS, Backblaze, ...).

Objects: ``<prefix>/<backup id>/payload.tar.gz.age``, ``manifest.json``, then
``manifest.sig`` last (its presence is what "complete" means). Short timeouts and few
retries: an unreachable bucket must fail this destination quickly, not hold the others.
"""

from __future__ import annotations

from pathlib import Path

import boto3
from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from strongroom.protection.backups.errors import DestinationError
from strongroom.protection.backups.internal.archive import MANIFEST, PAYLOAD, SIGNATURE
from strongroom.protection.backups.internal.destinations import BACKUP_ID


def _message(exc: Exception) -> str:
    if isinstance(exc, Boto3Error) and isinstance(exc.__context__, ClientError):
        exc = exc.__context__  # upload_file wraps the service's answer
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "error")
        if code in ("SignatureDoesNotMatch", "InvalidAccessKeyId"):
            return "the S3 access key or secret key is wrong"
        if code in ("AccessDenied", "403"):
            return ("access denied (a wrong S3 access key or secret key, or one without "
                    "rights on this bucket)")
        if code in ("NoSuchBucket",):
            return "the bucket does not exist"
        if code in ("NoSuchKey", "404"):
            return "the backup does not exist there"
        return f"S3 error {code}"
    return f"unreachable ({type(exc).__name__})"


class S3Destination:
    def __init__(self, url: str) -> None:
        self.url = url
        rest = url[len("s3://"):]
        self.bucket, _, prefix = rest.partition("/")
        self.prefix = prefix.strip("/")
        conf = settings.STRONGROOM_BACKUPS
        self.client = boto3.client(
            "s3", endpoint_url=conf.s3_endpoint or None, region_name=conf.s3_region,
            aws_access_key_id=conf.s3_access_key, aws_secret_access_key=conf.s3_secret_key,
            config=Config(connect_timeout=3, read_timeout=60, retries={"max_attempts": 2},
                          s3={"addressing_style": "path"}),
        )

    def local_path(self) -> Path | None:
        return None

    def _key(self, backup_id: str, name: str) -> str:
        return "/".join(p for p in (self.prefix, backup_id, name) if p)

    def put(self, backup_id: str, files: dict[str, Path]) -> None:
        try:
            self._bucket_ensure()
            for name in (PAYLOAD, MANIFEST, SIGNATURE):
                self.client.upload_file(str(files[name]), self.bucket,
                                        self._key(backup_id, name))
        except (BotoCoreError, ClientError, Boto3Error) as exc:
            raise DestinationError(self.url, _message(exc)) from None

    def _bucket_ensure(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
                raise
            self.client.create_bucket(Bucket=self.bucket)

    def ids(self) -> list[str]:
        found: set[str] = set()
        base = f"{self.prefix}/" if self.prefix else ""
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=base)
            for page in pages:
                for obj in page.get("Contents", []):
                    rest = obj["Key"][len(base):]
                    backup_id, _, name = rest.partition("/")
                    if name == SIGNATURE and BACKUP_ID.match(backup_id):
                        found.add(backup_id)
        except (BotoCoreError, ClientError, Boto3Error) as exc:
            raise DestinationError(self.url, _message(exc)) from None
        return sorted(found)

    def fetch(self, backup_id: str, name: str, dest: Path) -> None:
        try:
            self.client.download_file(self.bucket, self._key(backup_id, name), str(dest))
        except (BotoCoreError, ClientError, Boto3Error) as exc:
            dest.unlink(missing_ok=True)
            raise DestinationError(self.url, _message(exc)) from None

    def read(self, backup_id: str, name: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket,
                                          Key=self._key(backup_id, name))["Body"].read()
        except (BotoCoreError, ClientError, Boto3Error) as exc:
            raise DestinationError(self.url, _message(exc)) from None

    def delete(self, backup_id: str) -> None:
        if not BACKUP_ID.match(backup_id):
            raise DestinationError(self.url, f"refusing to delete {backup_id!r}")
        try:
            for name in (SIGNATURE, MANIFEST, PAYLOAD):  # the signature first
                self.client.delete_object(Bucket=self.bucket, Key=self._key(backup_id, name))
        except (BotoCoreError, ClientError, Boto3Error) as exc:
            raise DestinationError(self.url, _message(exc)) from None

    def clean_partial(self) -> int:
        return 0  # unsigned objects of a killed run are overwritten or pruned with their id
