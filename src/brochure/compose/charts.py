"""Horizontal range-bar charts as inline SVG, with the numbers printed on the bars.

The chart's <title> holds its full text equivalent: WeasyPrint writes it into the PDF's
Figure /Alt, which is what a screen reader reads.
"""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from brochure.compose.interface import Interface
from brochure.content.models import Figure, FiguresBlock, Source

WIDTH = 640
LABEL_H = 22
BAR_H = 24
ROW_GAP = 10
AXIS_H = 22
FONT = "'Atkinson Hyperlegible', sans-serif"


ENGLISH = Interface("en")


def figure_value(fig: Figure, ui: Interface = ENGLISH) -> str:
    """Return the figure as printed: '50–75%' or '70%' (in French '50–75 %')."""
    return ui.percent(fig.low, fig.high)


def figure_sentence(fig: Figure, ui: Interface = ENGLISH) -> str:
    """Return the figure in words for screen readers: 'Label: 50 to 75% (about half ...)'."""
    return f"{fig.label}: {ui.percent_words(fig.low, fig.high)} ({fig.words})"


def alt_text(block: FiguresBlock, ui: Interface = ENGLISH) -> str:
    """Return the chart's full text equivalent."""
    rows = "; ".join(figure_sentence(f, ui) for f in block.items)
    return ui.gettext("Bar chart, {measure}. {rows}.").format(measure=block.measure, rows=rows)


def _wrap(text: str, width: float) -> list[str]:
    """Split the plain words into lines that fit the drawing (SVG text does not wrap)."""
    per_line = max(12, int(width / 7.6))  # 15 px Atkinson Hyperlegible, a generous average
    return textwrap.wrap(text, per_line) or [text]


def _x(value: float, left: float, span: float) -> float:
    return round(left + span * value / 100, 2)


def range_chart(block: FiguresBlock, *, brand: str = "#1d5f8a", width: int = WIDTH,
                words_below: bool = False, plain: bool = False, apart: bool = False,
                ui: Interface = ENGLISH) -> Markup:
    """Draw one horizontal bar per figure on a shared 0-100 % scale.

    A narrower ``width`` prints larger type at the same size on paper. ``words_below`` puts
    the range in words on its own line; ``plain`` draws no tinted track and writes the
    numbers beside the label, so no text ever sits on colour (large print). ``apart``
    draws each bar as a drawing of its own, stacked, the scale under the last: a page may
    then end between two bars, as between two lines of text, instead of leaving the room
    a whole tall chart needs empty. The first drawing's title is the chart's full text
    equivalent; each further one's is its own bar's.
    """
    left, span = 2.0, width - 4.0
    words = [_wrap(fig.words, width) if words_below else [fig.words] for fig in block.items]
    rows = [LABEL_H + BAR_H + (LABEL_H * len(lines) if words_below else 0) + ROW_GAP
            for lines in words]
    tops = [sum(rows[:i]) for i in range(len(rows))]
    height = sum(rows) + AXIS_H

    def scale(axis_y: float) -> list[str]:
        drawn = []
        for tick in (0, 25, 50, 75, 100):
            x = _x(tick, left, span)
            anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
            drawn.append(f'<line x1="{x}" y1="{axis_y}" x2="{x}" y2="{axis_y + 5}" '
                         'stroke="#46535f" stroke-width="1"/>')
            drawn.append(f'<text x="{x}" y="{axis_y + AXIS_H - 3}" font-size="13" '
                         f'fill="#46535f" text-anchor="{anchor}">'
                         f'{escape(ui.percent(tick))}</text>')
        return drawn

    bars = []
    for i, fig in enumerate(block.items):
        parts: list[str] = []
        top = tops[i]
        bar_y = top + LABEL_H
        label = figure_value(fig, ui)
        title = f"{fig.label}: {label}" if plain else fig.label
        parts.append(f'<text x="{left}" y="{top + 16}" font-size="16" font-weight="bold" '
                     f'fill="#1f2933">{escape(title)}</text>')
        if words_below:
            for n, line in enumerate(words[i]):
                parts.append(f'<text x="{left}" y="{bar_y + BAR_H + 17 + n * LABEL_H}" '
                             f'font-size="15" fill="#46535f">{escape(line)}</text>')
        else:
            parts.append(f'<text x="{width - 2}" y="{top + 16}" font-size="15" '
                         f'fill="#46535f" text-anchor="end">{escape(fig.words)}</text>')
        if plain:
            parts.append(f'<rect x="{left}" y="{bar_y}" width="{span}" height="{BAR_H}" '
                         'rx="4" class="track" fill="#ffffff" stroke="#46535f" '
                         'stroke-width="1.5"/>')
        else:
            parts.append(f'<rect x="{left}" y="{bar_y}" width="{span}" height="{BAR_H}" '
                         'rx="4" class="track" fill="#e8eef3"/>')
            for tick in (25, 50, 75):
                x = _x(tick, left, span)
                parts.append(f'<line x1="{x}" y1="{bar_y}" x2="{x}" y2="{bar_y + BAR_H}" '
                             'stroke="#ffffff" stroke-width="1.5"/>')
        low = 0.0 if fig.high is None else fig.low
        high = fig.low if fig.high is None else fig.high
        x1, x2 = _x(low, left, span), _x(high, left, span)
        parts.append(f'<rect x="{x1}" y="{bar_y}" width="{round(x2 - x1, 2)}" '
                     f'height="{BAR_H}" rx="4" class="bar" fill="{brand}"/>')
        if not plain:
            inside = (x2 - x1) >= 16 + 9 * len(label)
            fits_after = x2 + 10 + 9 * len(label) <= width
            tx = round((x1 + x2) / 2, 2) if inside else round(x2 + 6, 2) if fits_after \
                else round(x1 - 6, 2)
            anchor = "middle" if inside else "start" if fits_after else "end"
            colour = "#ffffff" if inside else "#1f2933"
            parts.append(f'<text x="{tx}" y="{bar_y + 17}" font-size="15" font-weight="bold" '
                         f'fill="{colour}" text-anchor="{anchor}">{escape(label)}</text>')
        bars.append(parts)
    whole = alt_text(block, ui)
    if not apart:
        return Markup(_svg("chart", whole, width, 0, height,
                           [*scale(height - AXIS_H), *(part for parts in bars for part in parts)]))
    # Each bar in a drawing of its own: the viewBox shows the bar's band of the chart. The
    # last keeps the scale, drawn closer: a drawing that may not split stays small.
    drawings = []
    for i, parts in enumerate(bars):
        last = i == len(bars) - 1
        band = rows[i] + (AXIS_H - ROW_GAP / 2 if last else 0)
        axis = scale(tops[i] + rows[i] - ROW_GAP / 2) if last else []
        drawings.append(_svg("chart chart-row", whole if i == 0 else
                             f"{figure_sentence(block.items[i], ui)}.", width, tops[i], band,
                             [*parts, *axis]))
    return Markup("".join(drawings))


def _svg(kind: str, title: str, width: int, top: float, height: float,
         parts: list[str]) -> str:
    return "".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{kind}" role="img" '
        f'viewBox="0 {top} {width} {height}" width="{width}" height="{height}" '
        f"font-family={quoteattr(FONT)}>",
        f"<title>{escape(title)}</title>",
        *parts,
        "</svg>",
    ])


def source_titles(block: FiguresBlock, sources: dict[str, Source]) -> list[str]:
    """Return the titles of the sources the chart's figures cite, in first-use order."""
    titles = [sources[f.source].title for f in block.items if f.source in sources]
    return list(dict.fromkeys(titles))
