"""Authentication by email for accounts whose email is encrypted.

Django's ModelBackend already resolves the login through
``UserManager.get_by_natural_key`` (a blind-index lookup) and spends a password hash on
unknown emails too. Naming our own backend makes Django's auth.E003 ("USERNAME_FIELD
must be unique") a warning (auth.W004), silenced in settings: the email column holds
ciphertext, and uniqueness is enforced by the unique ``email_index`` instead.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """``authenticate(request, email=..., password=...)`` or ``username=`` the email."""
