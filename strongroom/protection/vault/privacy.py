"""The vault keeps keys, never personal data in the clear (data inventory)."""

from strongroom.inventory import OPERATIONAL, Use, declare

KEYS = Use("security", "none", "account")

declare("vault.Subject", KEYS, system=["id", "created_at", "erased_at"])
declare("vault.DataKey", KEYS,
        system=["id", "subject", "kek_version", "wrapped", "state", "created_at",
                "state_changed_at"])
declare("vault.IndexKey", OPERATIONAL, system=["version", "kek_version", "wrapped", "created_at"])
# The vault's self-test table (rotation and equivalence checks); holds only test values.
declare("vault.Probe", OPERATIONAL,
        system=["id", "subject", "name", "email", "email_index", "phone", "phone_index", "note",
                "attrs", "born", "plain"])
