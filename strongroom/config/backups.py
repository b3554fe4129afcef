"""Backup settings (``strongroom.protection.backups``): destinations and S3 credentials."""

from __future__ import annotations

from dataclasses import dataclass, field

from strongroom.config.parse import ConfigError, csv


@dataclass(frozen=True)
class BackupConfig:
    """Where backups go (README, "Disaster recovery"). ``repr`` never shows the S3 secret."""

    destinations: tuple[str, ...] = ()
    s3_endpoint: str = ""
    s3_access_key: str = field(default="", repr=False)
    s3_secret_key: str = field(default="", repr=False)
    s3_region: str = "us-east-1"
    # The recovery identity on THIS host, only for scheduled drills (see README): unset,
    # the running store can write backups but never read one.
    drill_identity: str = ""


def backups_load(env: dict[str, str]) -> BackupConfig:
    """``STRONGROOM_BACKUP_*``: comma-separated ``file:///abs/path`` and ``s3://bucket/prefix``."""
    destinations = csv(env.get("STRONGROOM_BACKUP_DESTINATIONS", ""))
    for url in destinations:
        if url.startswith("file://"):
            if not url.startswith("file:///"):
                raise ConfigError(f"backup destination {url!r}: use file:///absolute/path")
        elif url.startswith("s3://"):
            bucket = url[5:].split("/", 1)[0]
            if len(bucket) < 3:
                raise ConfigError(f"backup destination {url!r}: the S3 bucket name needs 3 "
                                  "or more characters (s3://bucket/prefix)")
            if not (env.get("STRONGROOM_BACKUP_S3_ACCESS_KEY", "").strip()
                    and env.get("STRONGROOM_BACKUP_S3_SECRET_KEY", "").strip()):
                raise ConfigError("an s3:// backup destination needs "
                                  "STRONGROOM_BACKUP_S3_ACCESS_KEY and "
                                  "STRONGROOM_BACKUP_S3_SECRET_KEY")
        else:
            raise ConfigError(f"backup destination {url!r} is neither file:///path nor "
                              "s3://bucket/prefix (STRONGROOM_BACKUP_DESTINATIONS)")
    endpoint = env.get("STRONGROOM_BACKUP_S3_ENDPOINT", "").strip()
    if endpoint and not endpoint.startswith(("https://", "http://127.0.0.1",
                                             "http://localhost", "http://[::1]")):
        raise ConfigError("STRONGROOM_BACKUP_S3_ENDPOINT must be an https:// URL "
                          "(plain http only to this machine)")
    return BackupConfig(
        destinations=tuple(destinations),
        s3_endpoint=endpoint,
        s3_access_key=env.get("STRONGROOM_BACKUP_S3_ACCESS_KEY", "").strip(),
        s3_secret_key=env.get("STRONGROOM_BACKUP_S3_SECRET_KEY", "").strip(),
        s3_region=env.get("STRONGROOM_BACKUP_S3_REGION", "").strip() or "us-east-1",
        drill_identity=env.get("STRONGROOM_BACKUP_DRILL_IDENTITY", "").strip(),
    )
