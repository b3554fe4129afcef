"""What the accounts app keeps about people (the data inventory: privacy/inventory.py)."""

from strongroom.inventory import Use, declare

ACCOUNT = Use("account", "contract", "account", ("database", "backups", "mail"))
SECURITY = Use("security", "legitimate_interests", "account")
SHORT = Use("security", "legitimate_interests", "short")
SESSIONS = Use("security", "legitimate_interests", "sessions", ("database", "backups", "browser"))

declare("accounts.User", ACCOUNT,
        personal={"email": "user.contact.email", "email_index": "user.unique_id.pseudonymous",
                  "full_name": "user.name", "password": "user.authorization.password",
                  "last_login": "user.behavior", "date_joined": "user.account",
                  "email_verified_at": "user.account"},
        system=["id", "subject", "is_superuser", "is_staff", "is_active", "password_changed_at",
                "password_reset_required", "groups", "user_permissions"],
        uses={"password": SECURITY, "last_login": SECURITY})
declare("accounts.ApiToken", SECURITY,
        personal={"token_hash": "user.authorization.credentials", "name": "user.account.settings",
                  "last_used_at": "user.behavior"},
        system=["id", "user", "created_at", "expires_at"])
declare("accounts.TotpDevice", SECURITY,
        personal={"secret": "user.authorization.credentials"},
        system=["id", "user", "subject", "created_at", "confirmed_at", "last_counter"])
declare("accounts.WebAuthnCredential", SECURITY,
        personal={"credential_id": "user.authorization.credentials",
                  "public_key": "user.authorization.credentials", "name": "user.device",
                  "last_used_at": "user.behavior"},
        system=["id", "user", "sign_count", "created_at"])
declare("accounts.RecoveryCode", SECURITY, personal={"code_hash": "user.authorization.credentials"},
        system=["id", "user", "created_at", "used_at"])
declare("accounts.UserSession", SESSIONS,
        personal={"browser": "user.device", "last_seen_at": "user.behavior",
                  "key_hash": "user.device.cookie_id"},
        system=["id", "user", "created_at"])
declare("accounts.KnownDevice", SESSIONS, personal={"device_hash": "user.device.device_id"},
        system=["id", "user", "first_seen_at"])
# Throttle keys and members are keyed hashes of an address or an account, expiring in hours.
declare("accounts.ThrottleCounter", SHORT, personal={"key": "user.unique_id.pseudonymous"},
        system=["count", "expires_at", "blocked_until"])
declare("accounts.ThrottleMember", SHORT,
        personal={"key": "user.unique_id.pseudonymous", "member": "user.unique_id.pseudonymous"},
        system=["id", "expires_at"])
declare("accounts.SecurityAlert", Use("security", "none", "audit"),
        system=["id", "kind", "detail", "created_at", "acknowledged_at"])
declare("accounts.EmailChange", Use("account", "contract", "short", ("database", "mail")),
        personal={"new_email": "user.contact.email"},
        system=["id", "user", "subject", "token_hash", "expires_at"])
