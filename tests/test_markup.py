"""Content is data, never markup: raw HTML shows as text, only safe links survive."""

from __future__ import annotations

from brochure.content.markup import to_html, to_inline_html, to_plain


def test_bold_italic_and_lists() -> None:
    assert to_html("Drink **water** and *rest*.\n\n- one\n- two") == (
        "<p>Drink <strong>water</strong> and <em>rest</em>.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
    )


def test_raw_html_is_shown_as_text() -> None:
    html = to_html('<script>alert(1)</script> <img src="file:///etc/passwd">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_only_safe_link_schemes() -> None:
    assert to_inline_html("[call](tel:5550100)") == '<a href="tel:5550100">call</a>'
    assert to_inline_html("[site](https://example.org)") == (
        '<a href="https://example.org">site</a>')
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,hi"):
        out = to_inline_html(f"[x]({bad})")
        assert "<a" not in out, bad


def test_headings_and_images_are_not_markup() -> None:
    assert "<h1" not in to_html("# Big")
    assert "<img" not in to_html("![x](pic.png)")


def test_plain_text_for_metadata() -> None:
    assert to_plain("Drink **water** and [call us](tel:1).") == "Drink water and call us."
