"""Personal copies: one condition's handout made for one patient, and sending it by e-mail.

Nothing about the patient is kept: the copy is composed and rendered in memory, and the
only file written is the one the caller names (``--out``).
"""
