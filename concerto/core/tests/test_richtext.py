"""Text people write is shown with its paragraphs and links, and nothing that could run survives."""

import pytest

from concerto.core.richtext import plain_text, sanitize_html


@pytest.mark.parametrize("attack", [
    "<script>alert(1)</script>Bonjour",
    '<img src="x" onerror="alert(1)">Bonjour',
    '<a href="javascript:alert(1)">Bonjour</a>',
    '<a href="JaVaScRiPt:alert(1)">Bonjour</a>',
    '<p onclick="alert(1)">Bonjour</p>',
    '<svg onload="alert(1)"></svg>Bonjour',
    '<iframe src="https://example.org"></iframe>Bonjour',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Bonjour</a>',
    '<style>body{display:none}</style>Bonjour',
])
def test_nothing_that_can_run_survives(attack):
    cleaned = sanitize_html(attack)
    assert "Bonjour" in cleaned
    for forbidden in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "data:", "<style",
                      "<svg", "<img"):
        assert forbidden not in cleaned.lower()


def test_formatting_and_safe_links_are_kept():
    cleaned = sanitize_html('<p>Un <strong>banc</strong> ici : <a href="https://sceaux.fr/parc">le parc</a></p>'
                            "<ul><li>ombre</li></ul>")
    assert "<strong>banc</strong>" in cleaned
    assert 'href="https://sceaux.fr/parc"' in cleaned
    assert 'rel="noopener noreferrer nofollow"' in cleaned
    assert "<li>ombre</li>" in cleaned


def test_plain_text_keeps_its_paragraphs_and_is_escaped():
    cleaned = sanitize_html("Premier paragraphe.\n\nSecond & dernier > tout.")
    assert cleaned == "<p>Premier paragraphe.</p>\n\n<p>Second &amp; dernier &gt; tout.</p>"


def test_plain_text_of_rich_text_has_no_markup():
    assert plain_text("<p>Des <em>arbres</em> &amp; des bancs</p>") == "Des arbres & des bancs"
