"""Messages of the counting engine, translated when Django is set up (the engine itself needs no Django).

Outside Django (`manage.py pb_count`, see cli.py), `use_catalogue(language)` reads the budgets app's
compiled catalogue with the standard library's gettext, so the messages are the site's all the same.
"""

from __future__ import annotations

from pathlib import Path

_language = None  # the language of use_catalogue()
_catalogue = None  # its gettext.NullTranslations, read on the first message


def use_catalogue(language: str) -> None:
    """Translate with the budgets app's catalogue for `language`, without Django. The catalogue is read
    when a message is first needed: a count that goes well needs none (reading it took a noticeable part
    of `pb_count`'s start)."""
    global _language, _catalogue
    _language, _catalogue = language, None


def _(message: str) -> str:
    """gettext when Django's settings are configured, the English message otherwise."""
    global _catalogue
    if _language is not None:
        if _catalogue is None:
            import gettext

            _catalogue = gettext.translation("django", Path(__file__).resolve().parents[1] / "locale",
                                             languages=[_language], fallback=True)
        return _catalogue.gettext(message)
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext(message)
    except ImportError:  # pragma: no cover - Django is always installed in this project
        pass
    return message
