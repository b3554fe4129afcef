"""The self-audit's public face for apps that sit above posture (incidents): they add
their own checks here, registered when their AppConfig is ready, and the self-audit runs
them with the rest. A check is a small function of a ``Context`` returning ``ok``,
``warn``, ``bad`` or ``na`` with the reason (never "pass" without evidence)."""

from .internal.checks.registry import Context, Outcome, bad, check, na, ok, warn

__all__ = ["Context", "Outcome", "bad", "check", "na", "ok", "warn"]
