"""Messages of the counting engine, translated when Django is set up (the engine itself needs no Django).

Outside Django (`manage.py pb_count`, see cli.py), `use_catalogue(language)` reads the budgets app's
compiled catalogue with the standard library's gettext, so the messages are the site's all the same.
"""

from __future__ import annotations

from pathlib import Path

_catalogue = None  # a gettext.NullTranslations once use_catalogue() is called


def use_catalogue(language: str) -> None:
    """Translate with the budgets app's catalogue for `language`, without Django."""
    import gettext

    global _catalogue
    _catalogue = gettext.translation("django", Path(__file__).resolve().parents[1] / "locale",
                                     languages=[language], fallback=True)


def _(message: str) -> str:
    """gettext when Django's settings are configured, the English message otherwise."""
    if _catalogue is not None:
        return _catalogue.gettext(message)
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext(message)
    except ImportError:  # pragma: no cover - Django is always installed in this project
        pass
    return message
