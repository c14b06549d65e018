"""Condensed content for small layouts: the tri-fold's panels and the poster's key points.

A card is one part cut down to what a panel holds: its title, its one-sentence point and
the lists and callouts a patient acts on. Nothing is rewritten, only left out. The
condition's own card also carries its first chart and its red flags, so no two
conditions' tri-folds read the same inside. A part with several such blocks becomes a
run of cards (only the first with the title), so a panel can end between two blocks.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from brochure.compose.brochure import Brochure, Part
from brochure.compose.heights import GAP, PANEL
from brochure.content.markup import prose_units
from brochure.content.models import (
    Block,
    CalloutBlock,
    ChecklistBlock,
    Figure,
    FiguresBlock,
    Source,
    StepsBlock,
    TextBlock,
)
from brochure.content.project import REQUIRED_TOPICS

# Rough line lengths of a narrow panel, only to share cards out evenly; the fit check
# on the real layout decides whether they fit.
_BODY, _HEAD, _LIST = 40, 28, 30
SPARE_MM = 0.1  # room kept free in each panel: the layout engine rounds
LEVEL_MM = 15.0  # inside panels this close are level: no list is cut to do better
LONG_LIST = 6  # a checklist this long may run on from one panel into the next
PIECE = 1  # the items of each piece of such a checklist
FLAP_NOTES_MM = 30.0  # room enough in the flap for ruled lines for the patient's questions


@dataclass(frozen=True)
class Card:
    """One part of the brochure, condensed."""

    id: str
    kind: str  # "section" (the condition's own) or "topic"
    title: str | None  # None for a card that goes on with the part of the card before it
    lead: str | None  # Markdown: a topic's key message, or the condition's explanation
    blocks: list[Block] = field(default_factory=list)
    lang: str | None = None  # set when the card is in another language than the brochure
    sources: dict[str, Source] = field(default_factory=dict)  # what the card's charts cite
    # A long checklist is cut into pieces, one card each, so a panel can end inside it:
    # ``cont`` marks a piece that goes on with the list of the card before it, ``runs_on``
    # one whose list goes on in the next card.
    cont: bool = False
    runs_on: bool = False

    @property
    def weight(self) -> float:
        """Return the card's rough height in body lines."""
        lines = (1.3 * _lines(self.title, _HEAD) + 0.8 if self.title else 0.0)
        lines += _lines(self.lead, _BODY) if self.lead else 0
        for blk in self.blocks:
            lines += 1.0 + (_lines(blk.heading, _LIST) if blk.heading else 0)
            if isinstance(blk, StepsBlock | ChecklistBlock):
                lines += sum(_lines(item, _LIST) + 0.4 for item in blk.items)
                lines += _lines(blk.intro, _BODY) if blk.intro else 0
            elif isinstance(blk, CalloutBlock):
                # the box, its title, the emergency line and (when to call) the after-hours one
                lines += _lines(blk.text, _LIST) + 7.5 + (3.5 if blk.tone == "call-us" else 0)
            elif isinstance(blk, TextBlock):
                lines += _lines(blk.text, _LIST)
            elif isinstance(blk, FiguresBlock):
                # label, bar and two lines of words per figure; the axis; caption and source
                lines += 7.0 * len(blk.items) + 3.0 + (_lines(blk.caption, _LIST)
                                                      if blk.caption else 0)
        return lines


@dataclass(frozen=True)
class Digest:
    """What a small layout prints: cards in reading order, key points and one chart."""

    explanation: list[Card]
    cards: list[Card]
    key_points: list[str]
    chart: FiguresBlock | None
    chart_part: Part | None
    key_point_langs: list[str | None] = field(default_factory=list)

    def columns(self, count: int, *, heights: dict[str, float] | None = None
                ) -> list[list[Card]]:
        """Share the cards, in reading order, among ``count`` panels as evenly as possible.

        ``heights`` are the cards' heights measured on a first layout (by card id); without
        them each card's height is estimated from its text.
        """
        return balance([*self.explanation, *self.cards], count, heights=heights)


def _lines(text: str, per_line: int) -> int:
    return sum(max(1, math.ceil(len(unit) / per_line)) for unit in prose_units(text))


def _essential(block: Block) -> bool:
    """Return True for checklists a patient acts on and callouts that say when to get help.

    Numbered steps describe what we do at a visit; the handout has them, the panels do not.
    """
    if isinstance(block, ChecklistBlock):
        return True
    return isinstance(block, CalloutBlock) and block.tone in ("call-us", "urgent")


def _pieces(blk: Block) -> list[Block]:
    """Cut a long checklist into pieces of a few items; any other block stays whole.

    The first piece keeps the heading and the lead-in with its first items.
    """
    if not isinstance(blk, ChecklistBlock) or len(blk.items) < LONG_LIST:
        return [blk]
    return [blk.model_copy(update={"items": blk.items[i:i + PIECE]} if i == 0 else
                           {"items": blk.items[i:i + PIECE], "intro": None, "heading": None})
            for i in range(0, len(blk.items), PIECE)]


def _run(card_id: str, kind: str, title: str | None, lead: str | None, blocks: list[Block],
         sources: dict[str, Source] | None = None, lang: str | None = None) -> list[Card]:
    """Return the title card with the first block, then one untitled card per other block.

    A long checklist is one card per piece (``_pieces``), ids ending ``-part2``, ...
    """
    cards: list[Card] = []
    for n, blk in enumerate(blocks or [None], start=1):
        pieces = [None] if blk is None else _pieces(blk)
        for m, piece in enumerate(pieces, start=1):
            base = card_id if n == 1 else f"{card_id}-{n}"
            cards.append(Card(base if m == 1 else f"{base}-part{m}", kind,
                              title if n == m == 1 else None, lead if n == m == 1 else None,
                              [] if piece is None else [piece], lang, dict(sources or {}),
                              cont=m > 1, runs_on=m < len(pieces)))
    return cards


def _explanation(b: Brochure) -> list[Card]:
    """Return the condition's own cards: its explanation, its first chart, its red flags."""
    sections = [p for p in b.parts if p.kind == "section"]
    if not sections:
        return [Card(f"{b.id}-about", "section", b.title, b.subtitle, lang=b.text_lang)]
    first = sections[0]
    texts = [blk for blk in first.blocks if isinstance(blk, TextBlock)]
    charts = [blk for p in sections for blk in p.blocks if isinstance(blk, FiguresBlock)]
    urgent = [blk for p in sections for blk in p.blocks
              if isinstance(blk, CalloutBlock) and blk.tone == "urgent"]
    lead = texts[0].text.strip().split("\n\n")[0] if texts else None  # its first paragraph
    sources = {k: v for p in sections for k, v in p.sources.items()}
    # On a panel the chart's caption says what the number is; its heading would repeat it.
    chart = [blk.model_copy(update={"heading": None}) for blk in charts[:1]]
    return _run(first.id, "section", first.title, lead, [*urgent, *chart], sources,
                lang=first.lang)


def _key_points(b: Brochure, limit: int) -> tuple[list[str], list[str | None]]:
    """Return the brochure's key message, then its topics' in order, keeping the safety one.

    The second list holds each point's language when it differs from the brochure's.
    """
    topics = [p for p in b.parts if p.kind == "topic" and p.key_message]
    required = [p.id for p in topics if p.id in REQUIRED_TOPICS]
    others = [p.id for p in topics if p.id not in REQUIRED_TOPICS]
    chosen = set(others[: max(0, limit - 1 - len(required))] + required)
    picked = [p for p in topics if p.id in chosen]
    return ([b.key_message, *(p.key_message or "" for p in picked)],
            [b.text_lang, *(p.lang for p in picked)])


def digest(b: Brochure, *, points: int = 3) -> Digest:
    """Condense a brochure for the tri-fold and the poster."""
    topics = [p for p in b.parts if p.kind == "topic"]
    cards: list[Card] = []
    for i, p in enumerate(topics):
        blocks = [blk for blk in p.blocks if _essential(blk)]
        # The first topic says what the treatment is; the others earn a place on the panels
        # with something to act on (a checklist, when to call, when to get help now).
        if blocks or i == 0:
            cards.extend(_run(p.id, "topic", p.title, p.key_message, blocks, p.sources,
                              lang=p.lang))
    charts = [(blk, p) for p in b.parts for blk in p.blocks if isinstance(blk, FiguresBlock)]
    chart, part = charts[0] if charts else (None, None)
    points_text, points_lang = _key_points(b, points)
    return Digest(_explanation(b), cards, points_text,
                  None if chart is None else one_bar_each(chart), part, points_lang)


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


LINE_MM = 5.5  # a body line on a panel, for a card no layout has measured yet


def load(cards: list[Card], heights: dict[str, float], place: int) -> float:
    """Return the height (mm) ``cards`` take in the panel at ``place``, as measured there.

    A card's measured height leaves out the space under it: between two cards comes the
    gap, except where a checklist goes on from one card to the next.
    """
    gap = heights.get(GAP, 0.0)
    total = sum(heights.get(f"{c.id}@{place}", c.weight * LINE_MM) for c in cards)
    return total + sum(0.0 if c.cont else gap for c in cards[1:])


def room_left(cards: list[Card], heights: dict[str, float] | None, place: int = 3) -> float:
    """Return the height (mm) the panel at ``place`` (the flap) has left under ``cards``."""
    if heights is None or PANEL not in heights:
        return 0.0
    under = heights.get(GAP, 0.0) if cards else 0.0  # the gap before what follows them
    return max(0.0, heights[PANEL] - load(cards, heights, place) - under)


def balance(cards: list[Card], count: int, *,
            heights: dict[str, float] | None = None) -> list[list[Card]]:
    """Share cards out among ``count`` panels, the last (a tri-fold's flap) taking the rest.

    The first ``count - 1`` panels (the inside of a tri-fold) hold cards in reading order.
    Without measured heights, the cards are split in order so the fullest panel is as light
    as can be, then as even as can be. With ``heights`` (mm, the panel's height under the
    key ``PANEL``), the split that fits and leaves the inside panels closest to level wins,
    and the flap may take a run of cards from anywhere but the first: the fullest panels
    fill greedily, the flap takes what levels the others (its room left over becomes
    ruled lines for notes). A long checklist may run on from one inside panel to the next
    (never on to the flap, which is on the other side of the sheet), but only where the
    panels would not be level otherwise.
    """
    if heights is None or PANEL not in heights or count < 2:
        return _balance_estimated(cards, count)
    room = heights[PANEL] - SPARE_MM
    n = len(cards)
    # The flap's run never starts or ends inside a checklist that runs on.
    runs = [(n, n), *((a, b) for a in range(1, n) for b in range(a + 1, n + 1)
                      if not cards[a].cont and (b == n or not cards[b].cont))]
    best: tuple[tuple[float, ...], list[list[Card]]] | None = None
    for a, b in runs:
        rest = cards[:a] + cards[b:]
        # A handful of cards and panels: trying every split is instant and plainly right.
        # The first card (the condition's own) always opens the first run.
        for cuts in itertools.combinations_with_replacement(
                range(min(1, len(rest)), len(rest) + 1), count - 2):
            panels = [rest[x:y] for x, y in itertools.pairwise((0, *cuts, len(rest)))]
            panels.append(cards[a:b])
            loads = [load(run, heights, place) for place, run in enumerate(panels)]
            over = sum(max(0.0, used - room) for used in loads)
            inside = loads[:-1] or loads
            spread = max(inside) - min(inside)
            cut = sum(1 for run in panels if run and run[0].cont)
            key = (round(over, 2), max(0.0, spread - LEVEL_MM), cut, int(b < n), spread,
                   *(-c for c in cuts))
            if best is None or key < best[0]:
                best = (key, panels)
    assert best is not None
    return best[1]


def _balance_estimated(cards: list[Card], count: int) -> list[list[Card]]:
    """Split cards into ``count`` runs in order, the fullest as light as can be, then even."""
    weights = [c.weight for c in cards]

    def score(cuts: tuple[int, ...]) -> tuple[float, ...]:
        loads = [sum(weights[a:b]) for a, b in itertools.pairwise((0, *cuts, len(cards)))]
        # On a tie, fill the earlier panels: an empty panel is better last than first.
        return (max(loads), sum(used * used for used in loads), *(-cut for cut in cuts))

    # The first card (the condition's own) always opens the first run.
    splits = itertools.combinations_with_replacement(range(min(1, len(cards)), len(cards) + 1),
                                                     count - 1)
    best = min(splits, key=score)
    return [cards[a:b] for a, b in itertools.pairwise((0, *best, len(cards)))]
