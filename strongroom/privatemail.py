"""The email backend used when no mail server is configured: each message is written to a
file under ``<data dir>/mail`` (where ``make run``'s demo mail goes).

Threat: those files hold single-use sign-in, password-reset, invitation and email-change
links. Django's file backend makes the folder and files with the process umask (usually
0755 and 0644), so any local user could read a reset link and take the account. Here the
folder is 0700 (tightened if an older version made it wider) and every file 0600, like the
key files.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.mail.backends import filebased

FOLDER_MODE = 0o700
FILE_MODE = 0o600


class PrivateFileEmailBackend(filebased.EmailBackend):
    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        path = os.path.abspath(file_path or getattr(settings, "EMAIL_FILE_PATH", None) or "")
        try:
            os.makedirs(path, mode=FOLDER_MODE, exist_ok=True)
            if os.path.isdir(path) and not os.path.islink(path):
                os.chmod(path, FOLDER_MODE)
        except OSError:
            pass  # the parent class reports an unusable path as ImproperlyConfigured
        super().__init__(*args, file_path=path, **kwargs)

    def open(self) -> bool:
        if self.stream is None:
            fd = os.open(self._get_filename(),
                         os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                         FILE_MODE)
            os.fchmod(fd, FILE_MODE)  # also when the file existed already
            self.stream = os.fdopen(fd, "ab")
            return True
        return False
