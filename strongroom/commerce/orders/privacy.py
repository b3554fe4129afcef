"""Orders (data inventory). Contact and address are personal and erased with the person;
amounts, tax, dates and references are the accounting record kept for the legal period."""

from strongroom.inventory import Use, declare

ORDER = Use("orders", "contract", "orders", ("database", "backups", "mail", "gateway"))
BOOKS = Use("accounting", "legal_obligation", "orders")

declare("orders.Order", ORDER,
        personal={"email": "user.contact.email", "full_name": "user.name",
                  "line1": "user.contact.address.street", "line2": "user.contact.address.street",
                  "city": "user.contact.address.city",
                  "postal_code": "user.contact.address.postal_code",
                  "country": "user.contact.address.country",
                  "phone": "user.contact.phone_number"},
        system=["id", "reference", "user", "status", "subject", "shipping_method", "currency",
                "subtotal", "shipping_total", "total", "created_at", "updated_at"],
        uses={name: BOOKS for name in ("reference", "currency", "subtotal", "shipping_total",
                                       "total", "created_at")})
declare("orders.OrderLine", BOOKS,
        personal={"variant": "user.behavior.purchase_history",
                  "product_name": "user.behavior.purchase_history"},
        system=["id", "order", "sku", "unit_price", "quantity", "line_total"])
declare("orders.OrderEvent", ORDER, system=["id", "order", "kind", "from_status", "to_status",
                                            "actor", "note", "created_at"])
