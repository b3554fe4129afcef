from strongroom.errors import ApplicationError, NotFound


class CustomerError(ApplicationError):
    code = "customer_invalid"


class AddressNotFound(NotFound):
    code = "address_not_found"


class CustomerNotFound(NotFound):
    code = "customer_not_found"
