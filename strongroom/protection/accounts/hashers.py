from django.contrib.auth.hashers import Argon2PasswordHasher


class StrongroomArgon2PasswordHasher(Argon2PasswordHasher):
    """argon2id at OWASP's first recommended profile: m=46 MiB, t=1, p=1.

    Django's defaults (t=2, m=100 MiB, p=8) are stronger on memory but spend 8 lanes on
    a 2-core server; OWASP's equivalent profiles trade memory for passes. Changing these
    numbers makes Django rehash each password at its next successful login.
    """

    algorithm = "argon2"
    time_cost = 1
    memory_cost = 47104
    parallelism = 1
