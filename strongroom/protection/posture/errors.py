"""Posture errors. Every one is a sentence a person can act on; commands map
``NoAdvisoryData`` and ``AdvisoryFormatError`` to exit status 2 ("missing data")."""

from __future__ import annotations

from strongroom.errors import ApplicationError


class PostureError(ApplicationError):
    code = "posture"


class NoAdvisoryData(PostureError):
    """No advisory could be read: a scan must never say "0 vulnerabilities" from nothing."""

    code = "no_advisory_data"


class AdvisoryFormatError(PostureError):
    """An OSV document is not valid OSV (names the file and the problem)."""

    code = "advisory_format"


class SbomError(PostureError):
    """The environment cannot be described (a required distribution is missing...)."""

    code = "sbom"
