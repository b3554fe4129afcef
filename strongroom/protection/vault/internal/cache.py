"""A bounded, age-limited cache for unwrapped keys (evicts the oldest insertion first).

Threats it bounds: (1) memory exhaustion by touching many subjects, (2) a shredded
subject's key living on in *another* process's memory: entries expire after
``max_age`` seconds, so crypto-shredding takes effect everywhere within that time.
The clock is injected for tests.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedCache(Generic[V]):
    def __init__(
        self, *, max_entries: int, max_age: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._clock = clock
        self._items: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        item = self._items.get(key)
        if item is not None and self._clock() - item[0] <= self.max_age:
            return item[1]
        if item is not None:
            self.discard(key)
        return None

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = (self._clock(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    def discard_where(self, predicate: Callable[[V], bool]) -> None:
        with self._lock:
            for key in [k for k, (_, v) in self._items.items() if predicate(v)]:
                del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
