"""Benchmark-only settings: the production settings plus the plain-Django twins to compare
with (``bench/urls.py``, templates in ``bench/templates/bench/``). Never used to serve a store."""

from pathlib import Path

from strongroom.settings import *  # noqa: F403
from strongroom.settings import TEMPLATES as _STORE_TEMPLATES

ROOT_URLCONF = "strongroom.bench.urls"
TEMPLATES = [{**_STORE_TEMPLATES[0],
              "DIRS": [*_STORE_TEMPLATES[0].get("DIRS", []),
                       str(Path(__file__).with_name("templates"))]},
             *_STORE_TEMPLATES[1:]]
