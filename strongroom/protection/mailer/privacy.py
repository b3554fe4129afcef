"""The outbox: each message encrypted under its recipient's vault subject until sent
(the body is wiped once sent; recipient and headline stay, encrypted, for the record)."""

from strongroom.inventory import Use, declare

declare("mailer.Outbox", Use("account", "contract", "short", ("database", "backups", "mail")),
        personal={"recipient": "user.contact.email", "headline": "user.content",
                  "body": "user.content"},
        system=["id", "subject", "kind", "status", "attempts", "created_at", "sent_at",
                "failure"])
