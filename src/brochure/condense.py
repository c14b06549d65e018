"""Condensed content for small layouts: the tri-fold's panels and the poster's key points.

A card is one part cut down to what a panel holds: its title, its one-sentence point and
the lists and callouts a patient acts on. Nothing is rewritten, only left out.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from brochure.markup import prose_units
from brochure.models import (
    Block,
    CalloutBlock,
    ChecklistBlock,
    Figure,
    FiguresBlock,
    StepsBlock,
    TextBlock,
)
from brochure.project import REQUIRED_TOPICS

if TYPE_CHECKING:  # compose imports this module for its templates
    from brochure.compose import Brochure, Part

# Rough line lengths of a narrow panel, only to share cards out evenly; the fit check
# on the real layout decides whether they fit.
_BODY, _HEAD, _LIST = 40, 28, 34
PANEL = "@panel"  # in measured heights: the height a panel holds, in mm
FLAP_NOTES_MM = 30.0  # room enough in the flap for ruled lines for the patient's questions


@dataclass(frozen=True)
class Card:
    """One part of the brochure, condensed."""

    id: str
    kind: str  # "section" (the condition's own) or "topic"
    title: str
    lead: str | None  # Markdown: a topic's key message, or the condition's explanation
    blocks: list[Block] = field(default_factory=list)

    @property
    def weight(self) -> float:
        """Return the card's rough height in body lines."""
        lines = 1.3 * _lines(self.title, _HEAD) + 0.8 + (_lines(self.lead, _BODY) if self.lead
                                                          else 0)
        for blk in self.blocks:
            lines += 1.0 + (_lines(blk.heading, _LIST) if blk.heading else 0)
            if isinstance(blk, StepsBlock | ChecklistBlock):
                lines += sum(_lines(item, _LIST) + 0.4 for item in blk.items)
                lines += _lines(blk.intro, _BODY) if blk.intro else 0
            elif isinstance(blk, CalloutBlock | TextBlock):
                lines += _lines(blk.text, _LIST) + (2.5 if isinstance(blk, CalloutBlock) else 0)
        return lines


@dataclass(frozen=True)
class Digest:
    """What a small layout prints: cards in reading order, key points and one chart."""

    explanation: Card
    cards: list[Card]
    key_points: list[str]
    chart: FiguresBlock | None
    chart_part: Part | None

    def columns(self, count: int, *, heights: dict[str, float] | None = None
                ) -> list[list[Card]]:
        """Share the cards, in reading order, among ``count`` panels as evenly as possible.

        ``heights`` are the cards' heights measured on a first layout (by card id); without
        them each card's height is estimated from its text.
        """
        return balance([self.explanation, *self.cards], count, heights=heights)


def _lines(text: str, per_line: int) -> int:
    return sum(max(1, math.ceil(len(unit) / per_line)) for unit in prose_units(text))


def _essential(block: Block) -> bool:
    """Return True for lists a patient acts on and callouts that say when to get help."""
    if isinstance(block, StepsBlock | ChecklistBlock):
        return True
    return isinstance(block, CalloutBlock) and block.tone in ("call-us", "urgent")


def _explanation(b: Brochure) -> Card:
    sections = [p for p in b.parts if p.kind == "section"]
    if not sections:
        return Card(f"{b.id}-about", "section", b.title, b.subtitle)
    first = sections[0]
    texts = [blk for blk in first.blocks if isinstance(blk, TextBlock)]
    urgent = [blk for p in sections for blk in p.blocks
              if isinstance(blk, CalloutBlock) and blk.tone == "urgent"]
    lead = texts[0].text if texts else None
    return Card(first.id, "section", first.title, lead, list(urgent))


def _key_points(b: Brochure, limit: int) -> list[str]:
    """Return the brochure's key message, then its topics' in order, keeping the safety one."""
    topics = [p for p in b.parts if p.kind == "topic" and p.key_message]
    required = [p.id for p in topics if p.id in REQUIRED_TOPICS]
    others = [p.id for p in topics if p.id not in REQUIRED_TOPICS]
    chosen = set(others[: max(0, limit - 1 - len(required))] + required)
    return [b.key_message, *(p.key_message or "" for p in topics if p.id in chosen)]


def digest(b: Brochure, *, points: int = 3) -> Digest:
    """Condense a brochure for the tri-fold and the poster."""
    cards = [Card(p.id, "topic", p.title, p.key_message,
                  [blk for blk in p.blocks if _essential(blk)])
             for p in b.parts if p.kind == "topic"]
    charts = [(blk, p) for p in b.parts for blk in p.blocks if isinstance(blk, FiguresBlock)]
    chart, part = charts[0] if charts else (None, None)
    return Digest(_explanation(b), cards, _key_points(b, points),
                  None if chart is None else one_bar_each(chart), part)


def one_bar_each(chart: FiguresBlock, *, limit: int = 3) -> FiguresBlock:
    """Return the chart with one bar per result, at most ``limit`` bars.

    A second figure for the same subject (the label before its first comma, as in
    "Fibromyalgia, given as a range") is left out.
    """
    seen: set[str] = set()
    items: list[Figure] = []
    for fig in chart.items:
        subject = fig.label.split(",")[0].strip().lower()
        if subject not in seen and len(items) < limit:
            items.append(fig)
        seen.add(subject)
    return chart.model_copy(update={"items": items})


def room_left(cards: list[Card], heights: dict[str, float] | None) -> float:
    """Return the height (mm) a panel has left under ``cards``, once they were measured."""
    if heights is None or PANEL not in heights:
        return 0.0
    return max(0.0, heights[PANEL] - sum(heights.get(c.id, 0.0) for c in cards))


def balance(cards: list[Card], count: int, *,
            heights: dict[str, float] | None = None) -> list[list[Card]]:
    """Split cards into ``count`` runs in order, the fullest as light as can be, then even.

    With measured ``heights`` (mm, and the panel's height under the key ``PANEL``), the
    split that fits and leaves the last ``count - 1`` panels (the inside of a tri-fold)
    closest to level wins; the first panel (the flap) takes what is left over.
    """
    weights = [c.weight if heights is None else heights.get(c.id, c.weight) for c in cards]
    room = None if heights is None else heights.get(PANEL)

    def score(cuts: tuple[int, ...]) -> tuple[float, ...]:
        loads = [sum(weights[a:b]) for a, b in itertools.pairwise((0, *cuts, len(cards)))]
        # On a tie, fill the earlier panels: an empty panel is better last than first.
        later = tuple(-cut for cut in cuts)
        if room is None:
            return (max(loads), sum(load * load for load in loads), *later)
        over = sum(max(0.0, load - room) for load in loads)
        inside = loads[1:] or loads
        return (over, max(inside) - min(inside), max(loads), *later)

    # A handful of cards and panels: trying every split is instant and plainly right.
    # The first card (the condition's own) always opens the first run.
    splits = itertools.combinations_with_replacement(range(min(1, len(cards)), len(cards) + 1),
                                                     count - 1)
    best = min(splits, key=score)
    return [cards[a:b] for a, b in itertools.pairwise((0, *best, len(cards)))]
