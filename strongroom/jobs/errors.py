from __future__ import annotations


class UnknownJob(Exception):
    """No app declares a job by this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no job named {name!r}: `strongroom jobs list` shows the jobs")
        self.name = name
