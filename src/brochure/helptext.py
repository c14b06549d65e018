"""``brochure --help`` as Click prints it at 80 columns or more (see launch.py).

Generated: BROCHURE_UPDATE_HELP=1 .venv/bin/python -m pytest tests/test_startup.py
"""

TOP = """\
Usage: brochure [OPTIONS] COMMAND [ARGS]...

  Build printable patient handouts from YAML content.

  Example:
    brochure list
    brochure build back-pain --paper a4

Options:
  --version   Show the version and exit.
  -h, --help  Show this message and exit.

Commands:
  build         Build the brochures: every condition in every layout and...
  check         Check readability, health-literacy items, sources and...
  init          Create a new clinic project (clinic.yaml, handouts/,...
  list          List the conditions, topics, languages, layouts and...
  manifest      Work with build manifests (dist/manifest.json).
  personalise   Make a copy of one condition's handout for one patient.
  send          E-mail a personal copy to a patient through the clinic's...
  serve         Preview every brochure in a browser; saving a file...
  translations  Show how complete each translation is: translated,...
"""
