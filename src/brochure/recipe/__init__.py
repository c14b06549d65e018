"""One recipe makes a brochure: which brochures a command means, and the bytes of each.

``select.py`` works out the matrix (conditions x layouts x papers x languages, shards) for
every command; ``make.py`` turns one job of it into its finished files, as bytes, for
build to write, check and serve to audit, and personalise and send to overlay.
"""
