"""What the vault tells the rest of the store. The vault sits below the audit log (the
log encrypts with it), so it announces key operations and decryption failures as
signals and the audit app records them; the vault never imports the audit app.

``key_operation``: kwargs ``event`` (a name from ``KEY_OPERATIONS``), ``subject_id``
(for shredding), ``detail`` (short text, no key material). Sent inside the
transaction of the change where there is one.
``decryption_failed``: kwargs ``model`` (label), ``field``, ``pk``, ``subject_id``.
Never the ciphertext or anything derived from the key.
"""

from __future__ import annotations

from django.dispatch import Signal

KEY_OPERATIONS = (
    "kek_rotated", "data_reencrypted", "index_key_rotated", "kek_retired",
    "index_key_retired", "subject_shredded",
)

key_operation = Signal()
decryption_failed = Signal()
