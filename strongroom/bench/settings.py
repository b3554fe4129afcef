"""Benchmark-only settings: the production settings plus one bare view to compare with.
Never used to serve a store."""

from strongroom.settings import *  # noqa: F403

ROOT_URLCONF = "strongroom.bench.urls"
