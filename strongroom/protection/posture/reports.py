"""How a self-audit run is shown: the public face of ``internal/report.py`` for other
apps (the console), which must not import the posture app's internals."""

from __future__ import annotations

from .internal.checks.registry import PRACTICES
from .internal.report import (
    report_html,
    report_json,
    report_text,
    style_hash,
    svg_practice_chart,
    svg_trend_chart,
)

__all__ = ["PRACTICES", "report_html", "report_json", "report_text", "style_hash",
           "svg_practice_chart", "svg_trend_chart"]
