"""Masking: what a console page shows of a personal value its viewer may not read.

Masks keep just enough to recognise a value the customer reads out on the phone
(first letters, the last four digits), never enough to use it: no full local part, no
full domain, no street. An erased value stays "[erased]".

Plain functions of a value, at the bottom of the layers: the console's need-to-know view
(access) and the account emails (accounts, below access) both mask with them.
"""

from __future__ import annotations

DOT = "\u2022\u2022\u2022"  # •••


def _erased(value: object) -> bool:
    return value is not None and not isinstance(value, str) and str(value) == "[erased]"


def mask_email(value: object) -> str:
    """``jane@example.com`` -> ``j•••@e•••.com``."""
    if _erased(value):
        return "[erased]"
    text = str(value or "")
    if not text:
        return ""
    local, at, domain = text.rpartition("@")
    if not at:
        return text[:1] + DOT
    host, dot, tld = domain.rpartition(".")
    if not dot:
        return f"{local[:1]}{DOT}@{domain[:1]}{DOT}"
    return f"{local[:1]}{DOT}@{host[:1]}{DOT}.{tld}"


def mask_phone(value: object) -> str:
    """``+49 170 1231234`` -> ``••• ••• 1234`` (the last four digits of a real number)."""
    if _erased(value):
        return "[erased]"
    digits = [ch for ch in str(value or "") if ch.isdigit()]
    if not digits:
        return ""
    tail = "".join(digits[-4:]) if len(digits) >= 8 else DOT
    return f"{DOT} {DOT} {tail}"


def mask_name(value: object) -> str:
    """``Cara Customer`` -> ``C••• C•••``."""
    if _erased(value):
        return "[erased]"
    return " ".join(part[:1] + DOT for part in str(value or "").split())


def mask_text(value: object) -> str:
    """An address line, city or postal code: nothing of it."""
    if _erased(value):
        return "[erased]"
    return DOT if str(value or "") else ""


MASKS = {"email": mask_email, "phone": mask_phone, "full_name": mask_name}


def mask_field(name: str, value: object) -> str:
    return MASKS.get(name, mask_text)(value)
