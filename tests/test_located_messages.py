"""Hostile input, round three: every refusal names the file and line, and says it all.

A stylesheet URL is found where it is written however it is spelled (backslashes, CSS
escapes, percent-encoding, an SVG inside a data: URL); ``@import`` is refused where it
stands; ``serve --host`` with a port says where the port goes; a message that must be
shortened is cut between words. The tests/fixtures/bad/css-*, svg-* and usage-host-* cases
hold one example per kind; these run the variants.
"""

from __future__ import annotations

import base64
import urllib.parse

import pytest
from click.testing import CliRunner

import brochure
from brochure.cli import main
from brochure.errors import BuildFailed, UsageError, shorten
from brochure.serve.hosts import listen_host

OUTSIDE = "it is outside the project's assets/, styles/ and templates/ folders; copy the " \
    "file into assets/"
NETWORK = "brochures never load anything from the network; save the file in the project's " \
    "assets/ folder and refer to it there"
ESCAPES = " (in CSS a backslash escapes the next character, so '\\.' is read as '.'; write " \
    "paths with '/')"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image '
       'href="file:///etc/hostname" width="10" height="10"/></svg>')


def failure(root: object) -> str:
    with pytest.raises(BuildFailed) as info:
        brochure.build(project=root)  # type: ignore[arg-type]
    [(_, reason)] = info.value.result.failed
    return reason


@pytest.mark.parametrize(("css", "message"), [
    ('body {\n  background: url("\\2e\\2e/\\2e\\2e/\\2e\\2e/\\2e\\2e/\\2e\\2e/\\2e\\2e/etc/'
     'hostname");\n}\n',
     f"2:19: refused to load 'file:///etc/hostname': {OUTSIDE}{ESCAPES}"),
    ("body { background: url(..\\/..\\/..\\/..\\/..\\/..\\/etc/hostname); }\n",
     f"1:20: refused to load 'file:///etc/hostname': {OUTSIDE}{ESCAPES}"),
    ("body { background: url(%2E%2E/%2e%2E/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/hostname); }\n",
     "1:20: refused to load 'styles/../../../../../../etc/hostname': it points outside the "
     "project's assets/, styles/ and templates/ folders; copy the file into assets/"),
    ("/* a comment that names hostname */\nbody { background: url(file:/etc/hostname); }\n",
     f"2:20: refused to load 'file:/etc/hostname': {OUTSIDE}"),
    ("body { background: url(FiLe://localhost/etc/hostname); }\n",
     f"1:20: refused to load 'FiLe://localhost/etc/hostname': {OUTSIDE}"),
    ("body {\n\n  background: url(HTTP:track.png);\n}\n",
     f"3:15: refused to load 'HTTP:track.png': {NETWORK}"),
    ('@font-face {\n  font-family: X;\n  src: url("//fonts.example.com/x.woff2") '
     'format("woff2");\n}\nbody { font-family: X; }\n',
     f"3:12: refused to load 'file://fonts.example.com/x.woff2': {OUTSIDE}"),
    ('.cover { background: url("data:image/svg+xml;utf8,' + SVG.replace('"', "'") + '"); }\n',
     f"1:26: refused to load 'file:///etc/hostname' (inside a data: URL): {OUTSIDE}"),
    ('.cover { background: url("data:image/svg+xml;base64,'
     + base64.b64encode(SVG.encode()).decode() + '"); }\n',
     f"1:26: refused to load 'file:///etc/hostname' (inside a data: URL): {OUTSIDE}"),
])
def test_a_stylesheet_url_is_found_however_it_is_spelled(make_project, css: str,
                                                         message: str) -> None:
    root = make_project({"styles/handout.css": css})
    assert failure(root) == f"styles/handout.css:{message}"


def test_a_data_svg_in_a_template_names_the_template_line(make_project) -> None:
    image = "data:image/svg+xml," + urllib.parse.quote(SVG)
    root = make_project({"templates/handout.html.j2":
                         '{% extends "base.html.j2" %}\n{% block body %}\n<h1>{{ b.title }}'
                         f'</h1>\n<p>Map</p> <img alt="map" src="{image}">\n{{% endblock %}}\n'})
    assert failure(root) == (
        "templates/handout.html.j2:4:32: refused to load 'file:///etc/hostname' (inside a "
        f"data: URL): {OUTSIDE}")


@pytest.mark.parametrize(("css", "where", "target"), [
    ("@import'extra.css';\n", "1:1", "extra.css"),
    ('h1 { color: red; }\n@import url("extra.css") screen and (color);\n', "2:1", "extra.css"),
    ('@import "extra.css" layer(base) supports(display: grid) print;\n', "1:1", "extra.css"),
    ('@\\69mport "extra.css";\n', "1:1", "extra.css"),
    ("@page { @import url(extra.css); }\n", "1:9", "extra.css"),
    ("/* @import 'no.css'; */\n@import;\n", "2:1", ""),
])
def test_import_is_refused_where_it_stands(make_project, css: str, where: str,
                                           target: str) -> None:
    root = make_project({"styles/handout.css": css, "styles/extra.css": "h1 { color: red; }"})
    named = f" of '{target}'" if target else ""
    assert failure(root) == (
        f"styles/handout.css:{where}: @import is not supported: a brochure's stylesheets are "
        f"joined into one, where it cannot stand; copy the rules{named} into this file (or "
        "into styles/base.css, which every layout uses)")
    assert not list((root / "dist").glob("*.pdf"))


def test_a_string_that_mentions_import_is_not_an_import(make_project) -> None:
    root = make_project({"styles/handout.css":
                         '/* @import "x.css"; */\n.cover::after { content: "@import"; }\n'})
    assert brochure.build(project=root).built == ["back-pain.handout.letter.en.pdf"]


# --- serve --host ---------------------------------------------------------------------------


@pytest.mark.parametrize(("host", "message"), [
    ("127.0.0.1:80", "--host '127.0.0.1:80' is not a host name or address: it holds a port; "
     "give the port with --port (--host 127.0.0.1 --port 80)"),
    ("localhost:8080", "--host 'localhost:8080' is not a host name or address: it holds a "
     "port; give the port with --port (--host localhost --port 8080)"),
    ("[::1]:80", "--host '[::1]:80' is not a host name or address: it holds a port; give the "
     "port with --port (--host [::1] --port 80)"),
    ("0.0.0.0:8000", "--host '0.0.0.0:8000' is not a host name or address: it holds a port; "
     "give the port with --port (--host 0.0.0.0 --port 8000)"),
    (":80", "--host ':80' is not a host name or address: it holds a port; give the port with "
     "--port (--host 127.0.0.1 --port 80)"),
    ("localhost:", "--host 'localhost:' is not a host name or address: it holds a port; give "
     "the port with --port (--host localhost)"),
    ("http://127.0.0.1:8000/", "--host 'http://127.0.0.1:8000/' is not a host name or "
     "address; give the name or address alone, like 127.0.0.1, without http:// or a path"),
    ("local host", "--host 'local host' is not a host name or address: U+0020 SPACE at "
     "position 6 is not allowed; give one like 127.0.0.1, ::1 or localhost"),
    ("-localhost", "--host '-localhost' is not a host name or address; give one like "
     "127.0.0.1, ::1 or localhost"),
    ("\u202elocalhost", "--host '\\u202elocalhost' is not a host name or address: U+202E "
     "RIGHT-TO-LEFT OVERRIDE at position 1 is not allowed; give one like 127.0.0.1, ::1 or "
     "localhost"),
    ("", "--host is empty; give a host name or address, like 127.0.0.1 (this machine only) "
     "or 0.0.0.0 (every network)"),
])
def test_a_host_that_is_not_one_is_a_usage_error(make_project, host: str,
                                                 message: str) -> None:
    make_project()
    result = CliRunner().invoke(main, ["serve", "--host", host], prog_name="brochure")
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")
    with pytest.raises(UsageError):
        from brochure.serve import serve

        serve(project=".", host=host)


def test_an_ipv6_address_with_a_port_on_its_end_says_where_the_port_goes(make_project) -> None:
    make_project()
    result = CliRunner().invoke(main, ["serve", "--host", "::1:80"], prog_name="brochure")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot listen on --host ::1:80: ")
    assert result.stderr.endswith("; give a name or address of this machine, like 127.0.0.1 "
                                  "(a port goes in --port: --host ::1 --port 80)\n")


@pytest.mark.parametrize(("host", "address"), [
    ("127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("[::1]", "::1"), ("0.0.0.0", "0.0.0.0"),
    ("::", "::"), ("localhost", "localhost"), ("clinic-pc.local", "clinic-pc.local"),
    ("0:0:0:0:0:0:0:1", "::1"),
])
def test_host_names_and_addresses_are_accepted(host: str, address: str) -> None:
    assert listen_host(host) == address


# --- shortened messages -------------------------------------------------------------------


def test_a_shortened_message_is_cut_between_words() -> None:
    text = "limit on input amplification factor (from DTD and entities) breached: " * 3
    short = shorten(text, 80)
    assert short == ("limit on input amplification factor (from DTD and entities) breached: "
                     "limit on…")
    assert shorten("short enough", 80) == "short enough"
    url = "https://www.example-clinic.test/" + "very-long-path-segment/" * 8
    assert shorten(url, 80) == url[:78].rsplit("/", 1)[0] + "/…"
    for width in range(10, 200, 7):
        for whole in (text, url):
            cut = shorten(whole, width)
            assert len(cut) <= width
            if cut != whole:
                kept = cut[:-1]
                assert whole.startswith(kept)
                after = whole[len(kept)]
                assert after in " /-_.&,;?=:" or kept[-1] in " /-_.&,;?=", (width, cut)


def test_a_long_bad_value_is_shown_cut_between_words(make_project) -> None:
    from tests.conftest import CLINIC

    colour = "a rather long description of a colour that is not a colour at all but words"
    make_project({"handouts/clinic.yaml": CLINIC + f"colours:\n  primary: {colour}\n"})
    result = CliRunner().invoke(main, ["check", "--content-only"], prog_name="brochure")
    assert result.stderr == (
        "handouts/clinic.yaml:15:12: colours.primary: 'a rather long description of a colour "
        "that is not a colour…' is not a colour; write it as #rrggbb, "
        "like \"#1f5f8b\"\n1 problem found in the content\n")
