from strongroom.errors import ApplicationError, NotFound

MAX_LINE_QUANTITY = 99
MAX_CART_LINES = 50


class CartError(ApplicationError):
    code = "cart_invalid"


class CartNotFound(NotFound):
    code = "cart_not_found"
