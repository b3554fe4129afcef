"""A rename scenario (see the package docstring)."""
