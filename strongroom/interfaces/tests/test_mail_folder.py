"""Issue 11 item 15: the mail folder (no mail server configured) held single-use reset
and sign-in links readable by any local user (0755 folder, 0644 files)."""

from __future__ import annotations

import os
import stat

from django.core.mail import EmailMessage, get_connection

import strongroom.settings as strongroom_settings

BACKEND = "strongroom.privatemail.PrivateFileEmailBackend"


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_store_writes_mail_files_with_the_private_backend():
    # The module's own value (the test run swaps the live setting for an in-memory box).
    assert strongroom_settings.EMAIL_BACKEND == BACKEND


def test_mail_folder_is_0700_and_files_0600_whatever_the_umask(tmp_path):
    folder = tmp_path / "var" / "mail"
    old = os.umask(0o022)
    try:
        connection = get_connection(BACKEND, file_path=str(folder))
        EmailMessage("Reset", "https://shop.example/reset/secret/", "store@example.test",
                     ["victim@example.test"], connection=connection).send()
    finally:
        os.umask(old)
    files = list(folder.iterdir())
    assert _mode(folder) == 0o700
    assert len(files) == 1 and _mode(files[0]) == 0o600
    assert b"/reset/secret/" in files[0].read_bytes()


def test_an_older_world_readable_folder_is_tightened(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    get_connection(BACKEND, file_path=str(folder))
    assert _mode(folder) == 0o700
