from strongroom.errors import ApplicationError


class AccountError(ApplicationError):
    code = "account_invalid"


class TooManyRequests(AccountError):
    code = "too_many_requests"
    status = 429

    def __init__(self, retry_after: int) -> None:
        wait = f"{max(1, round(retry_after / 60))} minutes" if retry_after >= 90 else (
            f"{max(1, retry_after)} seconds")
        super().__init__(f"Too many requests from your network. Please wait {wait} and "
                         "try again.")
        self.retry_after = retry_after


class CeremonyFailed(Exception):
    """Any reason a WebAuthn response is refused (one exception: no oracle)."""


class MissingSubject(ValueError):
    """An account saved without its vault subject (a programming error, never input)."""
