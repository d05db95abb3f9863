"""Charts drawn on the server as SVG: no chart library for the browser to download.

:func:`stacked_months` draws articles per month as stacked bars, one colour per series (outlet
or sector). The month axis is continuous: a month with no article is a zero, not a gap that
joins its neighbours. Every label is escaped; every bar has a ``<title>`` for a hover.
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

# Tableau 10: distinct hues that stay distinguishable for the commonest colour-vision deficiencies
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac"]
OTHERS = "other"


def month_range(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last``, both included."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while (year, month) <= (int(last[:4]), int(last[5:7])):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_label(month: str, with_year: bool = True) -> str:
    try:
        return date(int(month[:4]), int(month[5:7]), 1).strftime("%b %Y" if with_year else "%b")
    except (TypeError, ValueError):
        return str(month)


def series_by_month(rows: list[dict], key: str, label: str, max_series: int = len(PALETTE)):
    """(months, [(label, counts per month)]) from rows of month, key, label, articles; the
    smallest series beyond ``max_series`` are folded into one "other"."""
    rows = [r for r in rows if r.get("month")]
    if not rows:
        return [], []
    months = month_range(min(r["month"] for r in rows), max(r["month"] for r in rows))
    index = {m: i for i, m in enumerate(months)}
    totals: dict[str, int] = {}
    names: dict[str, str] = {}
    for r in rows:
        totals[r[key]] = totals.get(r[key], 0) + r["articles"]
        names[r[key]] = r.get(label) or r[key]
    ranked = sorted(totals, key=lambda k: (-totals[k], names[k]))
    kept = ranked if len(ranked) <= max_series else ranked[:max_series - 1]
    series = {k: [0] * len(months) for k in kept}
    if len(kept) < len(ranked):
        series[OTHERS] = [0] * len(months)
        names[OTHERS] = f"{len(ranked) - len(kept)} others"
    for r in rows:
        series[r[key] if r[key] in kept else OTHERS][index[r["month"]]] += r["articles"]
    return months, [(names[k], counts) for k, counts in series.items()]


def _nice_top(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return max(step * -(-value // step), step)
    magnitude = 10 ** (len(str(value)) - 1)
    return magnitude * -(-value // magnitude)


def stacked_months(months: list[str], series: list[tuple[str, list[int]]], title: str,
                   width: int = 720, height: int = 240) -> Markup:
    """An SVG of stacked bars, with axes, a legend and a hover title on every segment."""
    if not months:
        return Markup('<p class="pkus-chart-empty">No dated articles yet.</p>')
    left, right, top, bottom = 36, 8, 10, 34
    legend_rows = -(-len(series) // 3)
    legend_height = 18 * legend_rows + 6
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(counts[i] for _, counts in series) for i in range(len(months))]
    peak = _nice_top(max(totals) or 1)
    slot = plot_w / len(months)
    bar = max(min(slot * 0.8, 40), 1)
    out = [f'<svg class="pkus-chart" viewBox="0 0 {width} {height + legend_height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f"<title>{escape(title)}</title>"]
    for tick in range(0, peak + 1, max(peak // 4, 1)):  # horizontal grid lines with their counts
        y = top + plot_h - plot_h * tick / peak
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    every = max(1, -(-len(months) * 58 // plot_w))  # a label every n months, so labels never overlap
    for i, month in enumerate(months):
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for (name, counts), colour in zip(series, PALETTE):
            if not counts[i]:
                continue
            h = plot_h * counts[i] / peak
            y -= h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                       f"<title>{escape(name)}, {month_label(month)}: {counts[i]} article"
                       f'{"s" if counts[i] != 1 else ""}</title></rect>')
        if i % every == 0:
            label = month_label(month, with_year=i == 0 or month.endswith("-01") or every > 1)
            out.append(f'<text x="{left + slot * i + slot / 2:.1f}" y="{top + plot_h + 16}" '
                       f'text-anchor="middle">{escape(label)}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" class="axis"/>')
    for n, ((name, counts), colour) in enumerate(zip(series, PALETTE)):
        x, y = left + (n % 3) * (plot_w / 3), height + 18 * (n // 3)
        out.append(f'<rect x="{x:.1f}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{x + 17:.1f}" y="{y}">{escape(name)} ({sum(counts)})</text>')
    out.append("</svg>")
    return Markup("".join(out))
