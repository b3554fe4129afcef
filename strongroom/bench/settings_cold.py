"""Benchmark-only: the bench settings with the catalog cache off, so every storefront page
is built from the database (the "cold cache" figures). Never used to serve a store."""

from strongroom.bench.settings import *  # noqa: F403

STRONGROOM_CATALOG_CACHE = False
