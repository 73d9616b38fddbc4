"""The simulation's chart as hand-written SVG: points issued per day and points outstanding
at each day's end, current programme against proposed (no plotting library needed)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from domain.simulation_report import SimulationReport

WIDTH, PANEL, MARGIN = 720, 220, 56
CURRENT, PROPOSED = "#4c72b0", "#dd8452"


def chart_svg(report: SimulationReport, title: str) -> str:
    days = [day for day, _, _ in report.days]
    panels = (
        (
            "points issued per day",
            [c.issued for _, c, _ in report.days],
            [p.issued for _, _, p in report.days],
        ),
        (
            "points outstanding",
            [c.outstanding for _, c, _ in report.days],
            [p.outstanding for _, _, p in report.days],
        ),
    )
    height = 40 + len(panels) * (PANEL + 40) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}"'
        f' viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="{WIDTH // 2}" y="24" text-anchor="middle" font-size="16">{escape(title)}</text>',
    ]
    for n, (name, current, proposed) in enumerate(panels):
        parts.extend(_panel(name, days, current, proposed, 40 + n * (PANEL + 40)))
    legend_y = height - 14
    for x, colour, label in ((MARGIN, CURRENT, "current"), (MARGIN + 120, PROPOSED, "proposed")):
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="14" height="4" fill="{colour}"/>')
        parts.append(f'<text x="{x + 20}" y="{legend_y - 4}">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _panel(
    name: str, days: Sequence[str], current: Sequence[int], proposed: Sequence[int], top: int
) -> list[str]:
    left, right, bottom = MARGIN, WIDTH - 16, top + PANEL
    low = min([0, *current, *proposed])
    high = max([1, *current, *proposed])
    span = (high - low) or 1

    def x(i: int) -> float:
        return left + (right - left) * (i / max(len(days) - 1, 1))

    def y(v: int) -> float:
        return bottom - (bottom - top - 20) * ((v - low) / span)

    out = [
        f'<text x="{left}" y="{top + 12}" font-weight="bold">{escape(name)}</text>',
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top + 20}" x2="{left}" y2="{bottom}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{y(high) + 4:.1f}" text-anchor="end">{high:,}</text>',
        f'<text x="{left - 4}" y="{y(low) + 4:.1f}" text-anchor="end">{low:,}</text>',
    ]
    if days:
        out.append(f'<text x="{left}" y="{bottom + 16}">{escape(days[0])}</text>')
        out.append(
            f'<text x="{right}" y="{bottom + 16}" text-anchor="end">{escape(days[-1])}</text>'
        )
    for series, colour, dash in (
        (current, CURRENT, ""),
        (proposed, PROPOSED, ' stroke-dasharray="6 3"'),
    ):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series))
        if points:
            out.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}"'
                f' stroke-width="2"{dash}/>'
            )
    return out
