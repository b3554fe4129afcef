"""Product images uploaded in the console. Only the public ``products/`` folder is served
(never any other upload), with a safe path join and a long cache lifetime because
uploads are stored under random, never-reused names. In production the reverse proxy
may serve the same folder directly."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.utils._os import safe_join

PUBLIC_FOLDERS = ("products",)
ALLOWED_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def media_file(request: HttpRequest, folder: str, name: str) -> FileResponse:
    if folder not in PUBLIC_FOLDERS or "/" in name or "\x00" in name:
        raise Http404
    try:
        path = safe_join(settings.MEDIA_ROOT, folder, name)
    except Exception:  # SuspiciousFileOperation: a path escaping MEDIA_ROOT
        raise Http404 from None
    content_type, _ = mimetypes.guess_type(path)
    if content_type not in ALLOWED_TYPES:
        raise Http404
    try:
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
