"""Second factors, the step-up check and signed-in browsers, for customers and staff:
one module per factor (``totp``, ``passkeys``, ``recovery_codes``), the verify page,
``password`` (overview and confirm), ``sessions``; ``common`` holds what they share.

Step-up: changing a factor someone already has needs a second factor verified in the
last few minutes (``mfa_fresh``); the verify page below is where it is given, and the
same page finishes a sign-in whose password was right. Adding the first factor needs the
password instead (``password_fresh``: the sign-in, or the confirm page below).
"""

from strongroom.interfaces.storefront.views.security.passkeys import (
    passkey_register,
    passkey_register_options,
    passkey_remove,
)
from strongroom.interfaces.storefront.views.security.password import password_confirm, security
from strongroom.interfaces.storefront.views.security.recovery_codes import recovery_codes
from strongroom.interfaces.storefront.views.security.sessions import (
    session_revoke,
    sessions_revoke_others,
)
from strongroom.interfaces.storefront.views.security.totp import totp_remove, totp_setup
from strongroom.interfaces.storefront.views.security.verify import (
    mfa_passkey_options,
    mfa_passkey_verify,
    mfa_step_up,
)

__all__ = [
    "mfa_passkey_options",
    "mfa_passkey_verify",
    "mfa_step_up",
    "passkey_register",
    "passkey_register_options",
    "passkey_remove",
    "password_confirm",
    "recovery_codes",
    "security",
    "session_revoke",
    "sessions_revoke_others",
    "totp_remove",
    "totp_setup",
]
