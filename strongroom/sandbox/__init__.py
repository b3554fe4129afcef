"""The built-in sandbox payment gateway: a separate program, not part of the store.

``strongroom gateway`` runs it as its own process, over TLS, with its own SQLite database
and secrets under ``<data_dir>/gateway/``. It behaves like a PCI-compliant processor:
a hosted payment page where the shopper types card details (the store never sees them),
Luhn / expiry / CVC checks, authorisation and capture, full and partial refunds,
idempotency keys, and HMAC-SHA256-signed webhooks retried with backoff. Test cards follow
Stripe's documented numbers. Nothing here imports Django: the gateway shares no code path,
setting or database with the store it serves.
"""
