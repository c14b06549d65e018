"""Run the command line as ``python -m brochure``."""

from brochure.cli import main

main()
