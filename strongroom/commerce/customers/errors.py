from strongroom.errors import NotFound


class CustomerNotFound(NotFound):
    code = "customer_not_found"
