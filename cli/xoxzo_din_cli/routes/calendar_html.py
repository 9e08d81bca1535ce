"""The printable page of `routes calendar --html`: one self-contained HTML file, for each class of
caller a week grid and a year view, a colour per rule, a legend, holidays and closures named."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from xoxzo_din.route_checks.calendar import CallerClass, Segment
from xoxzo_din_cli.routes.calendar_drawing import Legend, Piece, by_day

_CSS = """
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}h3{font-size:1em;margin:1em 0 .3em}
.legend td{padding:2px 8px}.swatch{display:inline-block;width:1.2em;height:1em;border:1px solid #0003}
.row{display:flex;align-items:center;margin:1px 0}.label{width:13em;font-size:.8em;white-space:nowrap}
.bar{display:flex;flex:1;height:1.1em;border:1px solid #ccc}.bar.small{height:.55em}
.bar span{display:block;height:100%}.note{font-size:.75em;margin-left:.5em;white-space:nowrap}
.hours{display:flex;margin-left:13em;font-size:.7em;color:#666}.hours span{flex:1}
@media print{.month{break-inside:avoid}body{margin:0}}
"""


def html_page(
    title: str,
    classes: Sequence[tuple[CallerClass, Sequence[Segment], Sequence[Segment]]],
    legend: Legend,
    holidays: dict[date, str],
    labels: dict[str, str],
) -> str:
    """The page: for each caller class, a week grid then a year view (`classes` carries each
    class's week segments and year segments)."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<table class='legend'><tr><th></th><th>decided by</th><th>answer</th></tr>",
    ]
    for decided_by, (_, colour, line) in legend.entries.items():
        parts.append(
            f"<tr><td><span class='swatch' style='background:{colour}'></span></td>"
            f"<td>{html.escape(decided_by)}</td><td><code>{html.escape(line)}</code></td></tr>"
        )
    parts.append("</table>")
    hours = "".join(f"<span>{hour:02d}</span>" for hour in range(0, 24, 3))
    for caller_class, week, year in classes:
        parts.append(f"<h2>Calls from {html.escape(caller_class.label)}</h2><h3>Week</h3>")
        parts.append(f"<div class='hours'>{hours}</div>")
        parts += _rows(by_day(week), legend, holidays, labels, small=False)
        parts.append("<h3>Year</h3>")
        year_days = by_day(year)
        for month_start in sorted({day.replace(day=1) for day in year_days}):
            month_days = {
                day: pieces for day, pieces in year_days.items() if day.replace(day=1) == month_start
            }
            parts.append(f"<div class='month'><h3>{month_start:%B %Y}</h3>")
            parts += _rows(month_days, legend, holidays, labels, small=True)
            parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _rows(
    days: dict[date, list[Piece]],
    legend: Legend,
    holidays: dict[date, str],
    labels: dict[str, str],
    *,
    small: bool,
) -> list[str]:
    rows = []
    for day, pieces in sorted(days.items()):
        spans = "".join(
            f"<span style='width:{(piece.end - piece.start) / 14.4:.3f}%;"
            f"background:{legend.entries[piece.decided_by][1]}' "
            f"title='{_hhmm(piece.start)}-{_hhmm(piece.end)} {html.escape(piece.decided_by)}: "
            f"{html.escape(piece.line, quote=True)}'></span>"
            for piece in pieces
        )
        decided = dict.fromkeys(labels[piece.decided_by] for piece in pieces if piece.decided_by in labels)
        notes = " · ".join(html.escape(text) for text in (holidays.get(day, ""), *decided) if text)
        size = " small" if small else ""
        rows.append(
            f"<div class='row'><div class='label'>{day:%a %Y-%m-%d}</div>"
            f"<div class='bar{size}'>{spans}</div><div class='note'>{notes}</div></div>"
        )
    return rows


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
