from strongroom.errors import ApplicationError


class AccountError(ApplicationError):
    code = "account_invalid"
