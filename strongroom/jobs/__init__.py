"""Background and scheduled work (the task queue). See ``registry`` for the contract."""
