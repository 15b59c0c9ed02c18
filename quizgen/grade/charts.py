"""The item-analysis report's plots, as inline SVG written here (no plotting library, no script).

Each function returns one ``<svg>`` element sized by its ``viewBox``: it scales to the width
of its box on a screen and on an A4 page, and its text stays text (searchable, crisp in
print). Every mark carries a ``<title>``, so hovering shows the exact figures.
"""

from __future__ import annotations

from html import escape

FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'
BAR = "#4a6fa5"
FLAGGED = "#c0392b"
GRID = "#d8d8d8"


def _svg(width: int, height: int, label: str, body: list, css_class: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{escape(label)}" {FONT} font-size="11">' + "".join(body) + "</svg>")


def _num(x: float) -> str:
    """A tick label: 5, 2.5, 0.25 (no trailing zeros, no 2.0000000001)."""
    return f"{round(x, 2):g}"


def _text(x: float, y: float, text: str, anchor: str = "middle", size: int = 11, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"{extra}>'
            f"{escape(text)}</text>")


def histogram_svg(counts: list, edges: list, mean: float | None = None, width: int = 600,
                  height: int = 230) -> str:
    """The distribution of totals: a bar per bin, the count above it, the bins' edges under the
    axis (every edge, or every other one when they would crowd), the mean as a dashed line."""
    left, right, top, bottom = 44, 12, 24, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(max(counts), 1)
    lo, hi = edges[0], edges[-1]

    def x_of(v: float) -> float:
        return left + plot_w * (v - lo) / (hi - lo)

    def y_of(c: float) -> float:
        return top + plot_h * (1 - c / peak)

    body = []
    step = max(1, round(peak / 4))  # about four horizontal grid lines, at whole counts
    for c in range(0, peak + 1, step):
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y_of(c):.1f}" y2="{y_of(c):.1f}" '
                    f'stroke="{GRID}" stroke-width="0.6"/>')
        body.append(_text(left - 6, y_of(c) + 4, str(c), "end", 10))
    for i, c in enumerate(counts):
        x0, x1 = x_of(edges[i]), x_of(edges[i + 1])
        closed = "]" if i == len(counts) - 1 else ")"
        body.append(f'<rect x="{x0 + 1:.1f}" y="{y_of(c):.1f}" width="{max(x1 - x0 - 2, 1):.1f}" '
                    f'height="{top + plot_h - y_of(c):.1f}" fill="{BAR}"><title>[{_num(edges[i])}, '
                    f'{_num(edges[i + 1])}{closed}: {c} student{"s" if c != 1 else ""}</title></rect>')
        if c:
            body.append(_text((x0 + x1) / 2, y_of(c) - 3, str(c), size=10))
    every = 1 if len(edges) <= 16 else 2
    for i in range(0, len(edges), every):
        body.append(_text(x_of(edges[i]), top + plot_h + 15, _num(edges[i]), size=10))
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#333"/>')
    if mean is not None:
        xm = x_of(mean)
        body.append(f'<line x1="{xm:.1f}" x2="{xm:.1f}" y1="{top}" y2="{top + plot_h}" stroke="#222" '
                    f'stroke-dasharray="4 3"><title>mean {_num(mean)}</title></line>')
        body.append(_text(xm, top - 6, f"mean {_num(mean)}", size=10))
    body.append(_text(left + plot_w / 2, height - 8, "total points"))
    body.append(_text(12, top + plot_h / 2, "students", extra=f' transform="rotate(-90 12 {top + plot_h / 2:.0f})"'))
    return _svg(width, height, "distribution of the total scores", body, "chart histogram")


def scatter_svg(items: list, width: int = 720, height: int = 380, weak: float = 0.2) -> str:
    """Difficulty (share of the points earned, 0 to 1) across, discrimination (upper minus lower
    27 %) up, one labelled point per item: ``items`` are dicts with ``label``, ``difficulty``,
    ``discrimination`` and ``flagged``. The band under ``weak`` is shaded: items there separate
    strong and weak students poorly; below 0, the stronger did worse (flagged, red)."""
    left, right, top, bottom = 48, 16, 14, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    shown = [it for it in items if it["difficulty"] is not None and it["discrimination"] is not None]
    y_lo = min([-0.2] + [it["discrimination"] for it in shown])
    y_lo = -1.0 if y_lo < -0.6 else -0.6 if y_lo < -0.2 else -0.2

    def x_of(v: float) -> float:
        return left + plot_w * v

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (v - y_lo) / (1 - y_lo))

    body = [f'<rect x="{left}" y="{y_of(weak):.1f}" width="{plot_w}" height="{y_of(y_lo) - y_of(weak):.1f}" '
            f'fill="#fbeaea"><title>discrimination under {weak:g}: weak items</title></rect>']
    for k in range(11):
        v = k / 10
        body.append(f'<line x1="{x_of(v):.1f}" x2="{x_of(v):.1f}" y1="{top}" y2="{top + plot_h}" '
                    f'stroke="{GRID}" stroke-width="0.6"/>')
        if k % 2 == 0:
            body.append(_text(x_of(v), top + plot_h + 15, _num(v), size=10))
    for k in range(round(y_lo * 5), 6):  # every 0.2, the zero line darker
        v = k / 5
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y_of(v):.1f}" y2="{y_of(v):.1f}" '
                    f'stroke="{"#333" if k == 0 else GRID}" stroke-width="{0.9 if k == 0 else 0.6}"/>')
        body.append(_text(left - 6, y_of(v) + 4, _num(v), "end", 10))
    body.append(_text(left + plot_w / 2, height - 8, "difficulty (share of the points earned: easier to the right)"))
    body.append(_text(13, top + plot_h / 2, "discrimination",
                      extra=f' transform="rotate(-90 13 {top + plot_h / 2:.0f})"'))
    placed: list = []  # label boxes already drawn: a label that would overlap one moves, or is left off
    for it in sorted(shown, key=lambda it: (it["flagged"], it["difficulty"])):
        x, y = x_of(it["difficulty"]), y_of(it["discrimination"])
        colour = FLAGGED if it["flagged"] else BAR
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}" fill-opacity="0.85">'
                    f'<title>{escape(it["label"])}: difficulty {it["difficulty"]:.2f}, discrimination '
                    f'{it["discrimination"]:.2f}</title></circle>')
        w, h = 6.2 * len(it["label"]) + 2, 11
        for dx, dy in ((6, -3), (6, 10), (-6 - w, -3), (-6 - w, 10), (-w / 2, -8), (-w / 2, 17)):
            box = (x + dx, y + dy - h + 2, x + dx + w, y + dy + 2)
            inside = left <= box[0] and box[2] <= left + plot_w and top <= box[1] and box[3] <= top + plot_h
            if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                                  for b in placed):
                placed.append(box)
                body.append(_text(box[0], y + dy, it["label"], "start", 10,
                                  f' fill="{colour}"' if it["flagged"] else ""))
                break
    return _svg(width, height, "difficulty against discrimination per answer blank", body, "chart scatter")


def bars_svg(title: str, groups: dict, overall: float | None = None, width: int = 300,
             height: int = 170) -> str:
    """One parameter's effect on a question: a bar per value (``groups``: value -> {"n", "mean"},
    the mean share of the points), with the number of students under each value and the
    question's overall difficulty as a dashed line."""
    left, right, top, bottom = 34, 8, 24, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = list(groups)
    slot = plot_w / max(len(values), 1)

    def y_of(v: float) -> float:
        return top + plot_h * (1 - v)

    body = [_text(left, 14, title, "start", 11, ' font-weight="bold"')]
    for v in (0, 0.5, 1):
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y_of(v):.1f}" y2="{y_of(v):.1f}" '
                    f'stroke="{GRID}" stroke-width="0.6"/>')
        body.append(_text(left - 4, y_of(v) + 3.5, _num(v), "end", 9))
    for i, value in enumerate(values):
        g = groups[value]
        x = left + i * slot
        bar_w = min(slot * 0.7, 40)
        body.append(f'<rect x="{x + (slot - bar_w) / 2:.1f}" y="{y_of(g["mean"]):.1f}" width="{bar_w:.1f}" '
                    f'height="{top + plot_h - y_of(g["mean"]):.1f}" fill="{BAR}"><title>{escape(str(value))}: '
                    f'{g["mean"]:.2f} of the points, {g["n"]} students</title></rect>')
        body.append(_text(x + slot / 2, top + plot_h + 12, str(value), size=9))
        body.append(_text(x + slot / 2, top + plot_h + 24, f'n={g["n"]}', size=8, extra=' fill="#666"'))
    if overall is not None:
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y_of(overall):.1f}" y2="{y_of(overall):.1f}" '
                    f'stroke="#222" stroke-dasharray="4 3"><title>the question overall: {overall:.2f}</title></line>')
    return _svg(width, height, title, body, "chart bars")
