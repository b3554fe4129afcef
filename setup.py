"""The one compiled part of Strongroom: the vault's read hot path (optional).

Everything else is in pyproject.toml. ``optional=True``: where no C compiler is
available the install still succeeds and encrypted fields read through the pure-Python
path (same behaviour, slower; ``strongroom check`` says so as vault.I001).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "strongroom.protection.vault.internal._fastread",
            ["strongroom/protection/vault/internal/_fastread.c"],
            extra_compile_args=["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter",
                                "-Wno-missing-field-initializers"],
            optional=True,
        )
    ]
)
