from strongroom.protection.vault.tests.renames.initial import Migration  # noqa: F401
