"""The keys of measured card heights that are not a card: shared by condense and render.

The renderer measures each tri-fold card in every panel (render/measure.py); condense
shares the cards out by those heights. Kept in a module of their own so the renderer's
process does not import the composing code to read two names.
"""

PANEL = "@panel"  # the height a panel holds for cards, in mm
GAP = "@gap"  # the space between two cards, in mm
