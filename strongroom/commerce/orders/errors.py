from strongroom.errors import ApplicationError, Conflict, NotFound


class CheckoutError(ApplicationError):
    code = "checkout_invalid"


class OutOfStock(Conflict):
    code = "out_of_stock"


class OrderNotFound(NotFound):
    code = "order_not_found"


class InvalidTransition(Conflict):
    code = "invalid_transition"
