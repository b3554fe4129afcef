"""The template library: simulated phishing emails the owner chooses from. Each body has
one ``{link}``, the recipient's signed landing-page link; nothing else is personalised
(no name, no address: the email must not leak more than a real phish would know)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    key: str
    label: str
    subject: str
    body: str  # with {link}


TEMPLATES: dict[str, Template] = {t.key: t for t in (
    Template("parcel", "Parcel held at depot", "Your parcel could not be delivered",
             "Hello,\n\nWe tried to deliver a parcel for the store today. Confirm your "
             "details within 24 hours or it will be returned:\n\n{link}\n\nDelivery team"),
    Template("password", "Password expires today",
             "Action required: your password expires today",
             "Your console password expires in 2 hours. Keep your current password "
             "here:\n\n{link}\n\nIT support"),
    Template("invoice", "Unpaid supplier invoice", "Overdue invoice #44817",
             "Please find the overdue invoice for last month's order. Pay today to "
             "avoid suspension:\n\n{link}\n\nAccounts receivable"),
)}
