"""Charts drawn as SVG on the server: readable without JavaScript, printable, and each
with a text table beside it for screen readers."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 600, 220, 30


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Chart:
    bars: list[Bar]
    line: str  # an SVG path (the cumulative line), empty when there is none
    top: int  # the axis' largest value
    width: int = WIDTH
    height: int = HEIGHT


def bars(items: list[tuple[str, int]], cumulative: list[int] | None = None) -> Chart:
    """Bars for ``items`` (label, value); ``cumulative`` adds a line on the same scale."""
    top = max([v for _l, v in items] + (cumulative or []) + [1])
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / max(len(items), 1)
    out: list[Bar] = []
    for i, (label, value) in enumerate(items):
        h = inner_h * value / top
        out.append(Bar(label, value, PAD + i * step + step * 0.1, PAD + inner_h - h,
                       step * 0.8, h))  # fmt: skip
    points = [
        f"{PAD + i * step + step / 2:.1f},{PAD + inner_h - inner_h * v / top:.1f}"
        for i, v in enumerate(cumulative or [])
    ]
    line = ("M" + " L".join(points)) if points else ""
    return Chart(out, line, top)
