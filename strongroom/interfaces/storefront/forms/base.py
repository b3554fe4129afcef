from __future__ import annotations


class PlainLabelsMixin:
    """Labels read exactly as written ("Email", not "Email:"), for people and browser tests."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
