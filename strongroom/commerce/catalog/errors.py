from strongroom.errors import ApplicationError, NotFound


class ProductNotFound(NotFound):
    code = "product_not_found"


class CatalogError(ApplicationError):
    code = "catalog_invalid"
