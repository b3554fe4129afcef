"""Plaintext <-> bytes for each encrypted field type (before encryption)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


class TextCodec:
    @staticmethod
    def encode(value: Any) -> bytes:
        return str(value).encode("utf-8")

    @staticmethod
    def decode(data: bytes) -> str:
        return data.decode("utf-8")


class JSONCodec:
    @staticmethod
    def encode(value: Any) -> bytes:
        return json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":")).encode("utf-8")

    @staticmethod
    def decode(data: bytes) -> Any:
        return json.loads(data)


class DateCodec:
    @staticmethod
    def encode(value: Any) -> bytes:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        if not isinstance(value, dt.date):
            raise TypeError("EncryptedDateField needs a date")
        return value.isoformat().encode("ascii")

    @staticmethod
    def decode(data: bytes) -> dt.date:
        return dt.date.fromisoformat(data.decode("ascii"))
