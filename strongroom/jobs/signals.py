"""What the task queue tells the rest of the store. The queue sits at the bottom with the
infrastructure, below the audit log and the alerts, so it announces what they record and
never imports them (the audit and alerts apps connect their receivers in ``ready()``).

``run_requested``: someone asked for a job to run now. kwargs ``name``, ``by`` (a staff
account or an audit ``Actor``), ``request`` (or None). Sent inside the transaction that
queues the run: the receiver's audit event commits or rolls back with it, and
``job_run_request`` refuses to queue a run that no receiver recorded.
``job_failing``: a job failed ``failures`` times in a row. kwargs ``name``, ``failures``.
Sent outside any transaction, after the run is recorded.
"""

from __future__ import annotations

from django.dispatch import Signal

run_requested = Signal()
job_failing = Signal()
