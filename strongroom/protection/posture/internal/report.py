"""The self-audit report as text, JSON, or one standalone HTML file: inline CSS, an SVG
chart of the score by practice, no script and nothing loaded from elsewhere (it can be
mailed, archived, or served from the console under its strict CSP)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from html import escape
from typing import Any

from .checks.registry import FAIL, NA, PASS, PRACTICES, WARN

COLOURS = {PASS: "#1b7f3b", WARN: "#a86400", FAIL: "#b3261e", NA: "#6b6b6b"}


def report_text(data: dict[str, Any]) -> str:
    lines = [f"Strongroom self-audit {data['at']}: score {data['score']}/100"]
    if data["critical_failed"]:
        lines.append(f"CRITICAL checks failing (score capped): "
                     f"{', '.join(data['critical_failed'])}")
    counts = data["counts"]
    lines.append(f"{counts.get(PASS, 0)} pass, {counts.get(WARN, 0)} warn, "
                 f"{counts.get(FAIL, 0)} fail, {counts.get(NA, 0)} n/a")
    for practice, label in PRACTICES.items():
        checks = [c for c in data["checks"] if c["practice"] == practice]
        score = data["by_practice"].get(practice)
        lines.append("")
        lines.append(f"{label}: {'-' if score is None else score}")
        for c in checks:
            mark = "!" if c["critical"] and c["status"] == FAIL else " "
            lines.append(f" {mark}{c['status']:>4}  {c['id']:<24} {c['detail']}"
                         f"  [PCI {c['pci']}, ASVS {c['asvs']}]")
    return "\n".join(lines) + "\n"


def report_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


def svg_practice_chart(by_practice: dict[str, int | None]) -> str:
    """Horizontal bars, one per practice (grey "n/a" where nothing was judged)."""
    row, label_w, bar_w = 26, 190, 300
    height = row * len(PRACTICES) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 60}"'
             f' height="{height}" aria-label="Score by practice">']
    for i, (key, label) in enumerate(PRACTICES.items()):
        y = 5 + i * row
        score = by_practice.get(key)
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="16" '
                     'fill="#eeeeee"/>')
        if score is None:
            parts.append(f'<text x="{label_w + 6}" y="{y + 16}" font-size="12" '
                         'fill="#6b6b6b">n/a</text>')
            continue
        colour = COLOURS[PASS] if score >= 80 else COLOURS[WARN] if score >= 50 \
            else COLOURS[FAIL]
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w * int(score) // 100}" '
                     f'height="16" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 16}" font-size="13">'
                     f'{int(score)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_trend_chart(points: list[tuple[dt.datetime, int]]) -> str:
    """The score over the kept runs (oldest left)."""
    width, height, pad = 520, 160, 28
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{height}" aria-label="Self-audit score over time">',
             f'<rect x="{pad}" y="8" width="{width - pad - 8}" height="{height - pad - 8}" '
             'fill="none" stroke="#cccccc"/>']
    for value in (0, 50, 100):
        y = 8 + (height - pad - 8) * (100 - value) / 100
        parts.append(f'<text x="0" y="{y + 4:.0f}" font-size="11">{value}</text>')
    if points:
        step = (width - pad - 16) / max(1, len(points) - 1)
        coords = [(pad + 4 + i * step, 8 + (height - pad - 8) * (100 - int(s)) / 100)
                  for i, (_, s) in enumerate(points)]
        parts.append('<polyline fill="none" stroke="#1b4f9c" stroke-width="2" points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>')
        for (x, y), (at, s) in zip(coords, points, strict=True):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1b4f9c">'
                         f'<title>{escape(at.strftime("%Y-%m-%d %H:%M"))}: {int(s)}</title>'
                         '</circle>')
        parts.append(f'<text x="{pad}" y="{height - 6}" font-size="11">'
                     f'{escape(points[0][0].strftime("%Y-%m-%d"))}</text>')
        parts.append(f'<text x="{width - 80}" y="{height - 6}" font-size="11">'
                     f'{escape(points[-1][0].strftime("%Y-%m-%d"))}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """body{font:15px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1d1d;max-width:72rem}
h1{font-size:1.5rem}.score{font-size:2.4rem;font-weight:700}
table{border-collapse:collapse;width:100%;margin-top:1rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}.st{font-weight:700;text-transform:uppercase;font-size:.8rem}
.pass{color:#1b7f3b}.warn{color:#a86400}.fail{color:#b3261e}.na{color:#6b6b6b}
.critical{background:#fdecea}code{font-size:.85rem}"""


def report_html(data: dict[str, Any], *, store: str = "Strongroom") -> str:
    rows = []
    for c in data["checks"]:
        cls = "na" if c["status"] == NA else c["status"]
        crit = ' class="critical"' if c["critical"] and c["status"] == FAIL else ""
        rows.append(
            f'<tr{crit}><td><code>{escape(c["id"])}</code><br>{escape(c["title"])}</td>'
            f'<td>{escape(PRACTICES.get(c["practice"], c["practice"]))}</td>'
            f'<td class="st {cls}">{escape(c["status"])}</td><td>{escape(c["detail"])}</td>'
            f'<td>{escape(c["pci"])}</td><td>{escape(c["asvs"])}</td></tr>')
    critical = ""
    if data["critical_failed"]:
        critical = ('<p class="fail">Critical checks failing (the score is capped): '
                    f'{escape(", ".join(data["critical_failed"]))}</p>')
    counts = data["counts"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Self-audit of {escape(store)}: {int(data["score"])}/100</title>
<style>{_CSS}</style></head>
<body><h1>Security self-audit of {escape(store)}</h1>
<p>Run {escape(str(data["at"]))}. <span class="score" id="score">{int(data["score"])}</span>/100
&nbsp; {counts.get(PASS, 0)} pass, {counts.get(WARN, 0)} warn, {counts.get(FAIL, 0)} fail,
{counts.get(NA, 0)} not applicable.</p>{critical}
<h2>Score by practice</h2>{svg_practice_chart(data["by_practice"])}
<h2>Checks</h2>
<table id="checks"><thead><tr><th>Check</th><th>Practice</th><th>Status</th><th>Detail</th>
<th>PCI DSS 4.0.1</th><th>OWASP ASVS 5.0</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p>Weights: failing critical checks cap the score at 49. "n/a" checks are left out of the
score; "not available yet" means this store does not have that capability installed.</p>
</body></html>
"""


def style_hash() -> str:
    """CSP source for the report's inline <style> (served by the console with a policy
    that allows exactly this stylesheet and no script at all)."""
    digest = hashlib.sha256(_CSS.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"
