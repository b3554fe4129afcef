"""Saved addresses (data inventory)."""

from strongroom.inventory import Use, declare

declare("customers.Address", Use("account", "contract", "account"),
        personal={"full_name": "user.name", "line1": "user.contact.address.street",
                  "line2": "user.contact.address.street", "city": "user.contact.address.city",
                  "postal_code": "user.contact.address.postal_code",
                  "country": "user.contact.address.country",
                  "phone": "user.contact.phone_number",
                  "phone_index": "user.unique_id.pseudonymous"},
        system=["id", "user", "subject", "is_default", "created_at"])
