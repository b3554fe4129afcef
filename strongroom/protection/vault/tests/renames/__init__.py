"""A throwaway app for the rename tests: migrations only, no models module.

Installed by ``test_renames.py`` for one test at a time, with ``MIGRATION_MODULES``
pointing its label at one of the ``migrations_*`` packages (each a scenario). Never in
INSTALLED_APPS otherwise, so the real apps' migrations do not see it.
"""
