"""One error base for incident response; its message is shown to the operator as is."""


class IncidentError(Exception):
    """Bad input or a refused action (a clear sentence, no stack trace)."""


class ScopeError(IncidentError):
    """A breach-scope query that cannot be answered: unknown actor, T2 before T1."""
