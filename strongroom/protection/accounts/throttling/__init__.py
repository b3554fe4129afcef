"""Throttling: sign-in attempts (``throttle``) and the emails anyone can make the store
send (``mailthrottle``), counted in the shared store (``internal/store.py``)."""
