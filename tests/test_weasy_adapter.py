"""WeasyPrint's internals are read in render/weasy.py only, and are still where it reads them.

Each internal the adapter relies on has a test here that renders a tiny real document and
fails naming the internal when a WeasyPrint release moves, renames or changes it. The last
tests keep every other module to WeasyPrint's public API, which is (from its API reference,
https://doc.courtbouillon.org/weasyprint/stable/api_reference.html, "everything described
here is considered public"): the top-level HTML, CSS, Attachment, DEFAULT_OPTIONS (and
Document, Page, VERSION, __version__, which it exports), weasyprint.document's Document,
DocumentMetadata and Page, weasyprint.urls' URLFetcher, URLFetcherResponse and
FatalURLFetchingError, weasyprint.text.fonts' FontConfiguration, weasyprint.css.counters'
CounterStyle, and the "weasyprint" logger. The box tree, weasyprint.pdf, weasyprint.layout,
weasyprint.formatting_structure and every underscore name are internal.
"""

from __future__ import annotations

import ast
import inspect
import io
import logging
import tomllib
from pathlib import Path
from typing import Any

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "brochure"
ADAPTER = PACKAGE / "render" / "weasy.py"

PUBLIC = {  # module -> the names it makes public; None: the module itself is public
    "weasyprint": {"HTML", "CSS", "Attachment", "DEFAULT_OPTIONS", "Document", "Page",
                   "VERSION", "__version__"},
    "weasyprint.document": {"Document", "DocumentMetadata", "Page"},
    "weasyprint.urls": {"URLFetcher", "URLFetcherResponse", "FatalURLFetchingError"},
    "weasyprint.text.fonts": {"FontConfiguration"},
    "weasyprint.css.counters": {"CounterStyle"},
}

PAGE = """<!doctype html><html lang="en"><head><style>
@page { size: 400px 300px; margin: 0 }
body { margin: 0; font-family: "Atkinson Hyperlegible" }
.panel { width: 100px; height: 50px; margin: 10px 0 0 20px; padding: 5px }
.card { margin-bottom: 7px }
</style></head><body>
<div class="panel" data-panel="one"><div class="card" data-card="a">Hello</div>
<p lang="fr">Bonjour</p></div>
</body></html>"""


def _document(**options: Any) -> Any:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from brochure.content.assets import font_face_css

    config = FontConfiguration()
    css = weasyprint.CSS(string=font_face_css(), font_config=config)
    return weasyprint.HTML(string=PAGE).render(stylesheets=[css], font_config=config,
                                               **options)


def _moved(internal: str, what: str) -> str:
    return (f"WeasyPrint internal {internal} {what}: render/weasy.py was written against "
            "WeasyPrint 70.0; update it for this release")


def test_the_adapter_names_the_locked_weasyprint() -> None:
    from brochure.render.weasy import WRITTEN_AGAINST

    lock = tomllib.loads((PACKAGE.parents[1] / "uv.lock").read_text("utf-8"))
    locked = next(p["version"] for p in lock["package"] if p["name"] == "weasyprint")
    assert locked == WRITTEN_AGAINST, (
        f"uv.lock has WeasyPrint {locked}; check every internal render/weasy.py reads "
        f"(these tests) and set WRITTEN_AGAINST")


def test_weasyprint_is_bounded_below_its_next_major_release() -> None:
    data = tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text("utf-8"))
    spec = next(d for d in data["project"]["dependencies"] if d.startswith("weasyprint"))
    assert "<" in spec, spec


def test_page_page_box_is_the_laid_out_box_tree() -> None:
    from brochure.render.weasy import root_box

    page = _document().pages[0]
    assert hasattr(page, "_page_box"), _moved("Page._page_box", "is gone")
    assert type(page._page_box).__name__ == "PageBox", _moved(
        "Page._page_box", f"is a {type(page._page_box).__name__}, not a PageBox")
    assert list(root_box(page).children), _moved("PageBox.children", "is empty")


def _panel() -> Any:
    from brochure.render.measure import panels
    from brochure.render.weasy import root_box

    found = panels(root_box(_document().pages[0]))
    assert len(found) == 1, _moved("Box.element / element.get", "finds no panel")
    return found[0]


def test_box_geometry_methods_measure_as_the_adapter_reads_them() -> None:
    panel = _panel()
    for name in ("border_box_x", "border_box_y", "border_width", "border_height",
                 "content_box_y", "margin_height"):
        assert callable(getattr(panel._box, name, None)), _moved(f"Box.{name}()", "is gone")
    for name in ("height", "width", "position_x", "position_y", "margin_bottom",
                 "element", "element_tag", "children"):
        assert hasattr(panel._box, name), _moved(f"Box.{name}", "is gone")
    assert (panel.left, panel.top) == (20, 10), _moved("Box.border_box_x/y()", "moved")
    assert panel.right - panel.left == 110, _moved("Box.border_width()", "changed")
    assert panel.bottom - panel.top == 60, _moved("Box.border_height()", "changed")
    assert (panel.content_top, panel.content_height) == (15, 50), _moved(
        "Box.content_box_y() / Box.height", "changed")
    assert (panel.tag, panel.attribute("data-panel")) == ("div", "one"), _moved(
        "Box.element_tag / Box.element", "changed")


def test_text_boxes_are_textbox_with_their_text() -> None:
    from brochure.render.measure import _cards, _text_boxes

    panel = _panel()
    texts = [box for box in _text_boxes(panel)]
    assert [t.text for t in texts] == ["Hello", "Bonjour"], _moved(
        "boxes.TextBox / TextBox.text", "is not found by its class name")
    hello = texts[0]
    assert 20 < hello.content_right < 130 and 15 < hello.content_bottom < 65, _moved(
        "TextBox.position_x/y, width/height", "changed")
    card = _cards(panel)[0]
    assert card.margin_bottom == 7 and card.margin_height > 7, _moved(
        "Box.margin_bottom / Box.margin_height()", "changed")


def test_font_configuration_folder_holds_the_font_face_copies() -> None:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from brochure.content.assets import font_face_css
    from brochure.render.weasy import font_folder_gone, remove_font_folder

    config = FontConfiguration()
    weasyprint.CSS(string=font_face_css(), font_config=config)
    folder = getattr(config, "_folder", None)
    assert folder is not None and Path(folder).is_dir(), _moved(
        "FontConfiguration._folder", "does not hold the @font-face copies")
    assert not font_folder_gone(config)
    remove_font_folder(config)
    assert not Path(folder).exists() and config._folder is None
    assert not font_folder_gone(config)


def test_build_box_tree_makes_the_structure_elements() -> None:
    import pikepdf
    from weasyprint.pdf import tags

    from brochure.render.pdflang import install

    built = getattr(tags, "_build_box_tree", None)
    assert built is not None, _moved("weasyprint.pdf.tags._build_box_tree", "is gone")
    install()
    original = getattr(tags._build_box_tree, "__wrapped__", tags._build_box_tree)
    names = list(inspect.signature(original).parameters)
    assert names[:1] == ["box"], _moved("weasyprint.pdf.tags._build_box_tree",
                                        f"takes {names}, not the box first")
    pdf = _document(pdf_variant="pdf/ua-1").write_pdf(pdf_variant="pdf/ua-1")
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        langs = {str(obj.get("/Lang")) for obj in opened.objects
                 if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructElem"
                 and "/Lang" in obj}
    assert langs == {"fr"}, _moved("weasyprint.pdf.tags._build_box_tree",
                                   f"no longer builds the elements /Lang is added to ({langs})")


def test_a_fetcher_refusal_is_logged_as_urlfetchingerror(caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    import weasyprint
    from weasyprint.urls import URLFetcher

    from brochure.render.weasy import is_fetch_refusal

    class Refusing(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError("no")

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        weasyprint.HTML(string='<img src="file:///nowhere.png">',
                        url_fetcher=Refusing()).render()
    failed = [r for r in caplog.records if r.getMessage().startswith("Failed to load image")]
    assert failed and len(failed[0].args or ()) == 2, _moved(
        "the 'Failed to load image' log record", "no longer has (url, error) as its args")
    error = failed[0].args[1]  # type: ignore[index]
    assert is_fetch_refusal(error), _moved(
        "weasyprint.urls.URLFetchingError", f"is now {type(error).__name__}")


# --- nobody else touches WeasyPrint's internals -----------------------------------------


def _defined_names(paths: list[Path]) -> set[str]:
    """Return the underscore names that the files define: attributes, functions, names."""
    names: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[0])
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


def _private_names() -> set[str]:
    """Return WeasyPrint's own underscore names that the package does not define itself.

    Whose object an attribute is read from cannot be known from the source; a name that
    WeasyPrint defines and this package does not (outside the adapter, which writes
    WeasyPrint's) can only be WeasyPrint's.
    """
    import weasyprint

    theirs = _defined_names(sorted(Path(weasyprint.__file__).parent.rglob("*.py")))
    ours = _defined_names([p for p in sorted(PACKAGE.rglob("*.py")) if p != ADAPTER])
    return theirs - ours


def _internal_class_names() -> set[str]:
    """Return WeasyPrint's internal class names: a module comparing against one reads one."""
    import weasyprint.formatting_structure.boxes as boxes
    import weasyprint.urls as urls

    found = {name for module in (boxes, urls) for name, value in vars(module).items()
             if isinstance(value, type) and value.__module__ == module.__name__}
    return found - PUBLIC["weasyprint.urls"]


def _box_methods() -> set[str]:
    """Return the geometry methods of WeasyPrint's box classes (``border_box_y()``, ...)."""
    import re

    import weasyprint.formatting_structure.boxes as boxes

    geometry = re.compile(r"^(border|content|padding|margin)_(box_[xy]|width|height)$")
    return {name for value in vars(boxes).values()
            if isinstance(value, type) and value.__module__ == boxes.__name__
            for name in vars(value) if geometry.match(name)}


def weasyprint_internals(source: str, private: set[str], classes: set[str]) -> list[str]:
    """Return each use of a WeasyPrint internal in ``source``, as 'line: what'.

    An import of a WeasyPrint module or name that is not public; an attribute in
    ``private`` (WeasyPrint's underscore names), read, written, or named to getattr and
    the like; a call of a box's geometry method; a string that names one of WeasyPrint's
    internal ``classes``.
    """
    found = []
    methods = _box_methods()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "weasyprint" and a.name not in PUBLIC]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level \
                and node.module.split(".")[0] == "weasyprint":
            public = PUBLIC.get(node.module, set())
            found += [f"{node.lineno}: from {node.module} import {a.name}"
                      for a in node.names if a.name not in public]
        elif isinstance(node, ast.Attribute) and node.attr in private:
            found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in {"getattr", "setattr", "hasattr", "delattr"} \
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value in private:
            found.append(f"{node.lineno}: {node.func.id}(..., {node.args[1].value!r})")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in methods:
            found.append(f"{node.lineno}: .{node.func.attr}()")
        elif isinstance(node, ast.Constant) and node.value in classes:
            found.append(f"{node.lineno}: {node.value!r}")
    return sorted(found, key=lambda hit: int(hit.split(":")[0]))


def test_the_scan_finds_every_way_to_reach_an_internal() -> None:
    source = ("import weasyprint\nimport weasyprint.layout\n"
              "from weasyprint.pdf import tags\nfrom weasyprint import HTML, pdf\n"
              "from weasyprint.urls import URLFetcher, fetch\n"
              "box = page._page_box\ntags._build_box_tree = None\n"
              "getattr(config, '_folder', None)\nself._mine = 1\nx = self._mine\n"
              "kind = type(b).__name__ == 'TextBox'\ny = box.border_box_y()\n")
    private = {"_page_box", "_build_box_tree", "_folder"}
    assert weasyprint_internals(source, private, {"TextBox"}) == [
        "2: import weasyprint.layout", "3: from weasyprint.pdf import tags",
        "4: from weasyprint import pdf", "5: from weasyprint.urls import fetch",
        "6: ._page_box", "7: ._build_box_tree", "8: getattr(..., '_folder')",
        "11: 'TextBox'", "12: .border_box_y()"]


def test_only_the_adapter_touches_weasyprint_internals() -> None:
    private, classes = _private_names(), _internal_class_names()
    found = {str(path.relative_to(PACKAGE)): hits for path in sorted(PACKAGE.rglob("*.py"))
             if path != ADAPTER
             and (hits := weasyprint_internals(path.read_text("utf-8"), private, classes))}
    assert found == {}, ("WeasyPrint internals outside render/weasy.py; give the adapter a "
                         f"function for each: {found}")


def test_the_adapter_reads_what_these_tests_check() -> None:
    """Each internal the adapter reads has a test above: a new one needs one too."""
    hits = weasyprint_internals(ADAPTER.read_text("utf-8"), _private_names(),
                                _internal_class_names())
    reads = {hit.split(": ", 1)[1] for hit in hits}
    assert reads == {"._page_box", "getattr(..., '_folder')", "._folder",
                     "from weasyprint.pdf import tags", "._build_box_tree",
                     "'TextBox'", "'URLFetchingError'", ".border_box_x()",
                     ".border_box_y()", ".border_width()", ".border_height()",
                     ".content_box_y()", ".margin_height()"}
