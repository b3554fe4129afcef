"""Shopping carts (data inventory); the retention sweep deletes stale ones."""

from strongroom.inventory import Use, declare

CART = Use("orders", "contract", "carts", ("database", "backups", "browser"))

declare("cart.Cart", CART, personal={"updated_at": "user.behavior.purchase_history"},
        system=["id", "token_hash", "user", "created_at"])
declare("cart.CartLine", CART, personal={"variant": "user.behavior.purchase_history",
                                         "quantity": "user.behavior.purchase_history"},
        system=["id", "cart", "added_at"])
