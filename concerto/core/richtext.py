"""Rich text that people write (proposal texts, descriptions): a small safe subset of HTML.

Text is cleaned when it is saved and again when it is shown, so a rule tightened later also applies to
old rows. What survives: paragraphs, line breaks, emphasis, lists, quotes, small headings and links to
http(s) or mailto addresses. Scripts, styles, event handlers and `javascript:` links never do.
"""

import html

import nh3
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
                "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(text: str) -> str:
    """TEXT reduced to the allowed subset. Plain text without tags gets paragraphs from blank lines."""
    text = (text or "").strip()
    if not text:
        return ""
    if "<" not in text:
        # Plain text: escape it and keep its paragraphs and line breaks.
        text = linebreaks(text, autoescape=True)
    return nh3.clean(
        text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", strip_comments=True,
    )


def render_rich_text(text: str) -> SafeString:
    return mark_safe(sanitize_html(text))  # noqa: S308 - cleaned just above


def plain_text(text: str) -> str:
    """TEXT without any markup (for titles, exports, notifications, search)."""
    return html.unescape(nh3.clean(text or "", tags=set())).strip()


def rich_text_with_links(text: str, link) -> SafeString:
    """TEXT cleaned as `render_rich_text` does, each link's address replaced by LINK(address) (a newsletter's
    counted redirect); LINK sees the addresses in the order of the text."""

    def attribute(tag: str, name: str, value: str) -> str:
        return link(value) if tag == "a" and name == "href" else value

    text = sanitize_html(text)
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    return mark_safe(nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,  # noqa: S308 - cleaned
                               url_schemes=ALLOWED_URL_SCHEMES, attribute_filter=attribute,
                               link_rel="noopener noreferrer nofollow"))
