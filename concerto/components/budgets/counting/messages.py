"""Messages of the counting engine, translated when Django is set up (the engine itself needs no Django)."""

from __future__ import annotations


def _(message: str) -> str:
    """gettext when Django's settings are configured, the English message otherwise."""
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext(message)
    except ImportError:  # pragma: no cover - Django is always installed in this project
        pass
    return message
