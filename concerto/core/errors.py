"""The kernel's one shape for "refused, and here is why": services raise a Refusal (or a subclass of their own,
to be caught by name) whose `message` is written for the person, in their language; the page, the API or
the chat shows it as is. `error_page` is the site's page for a refusal or an error (the 4xx/5xx handlers and
the 429 of the send limits render it); it lives here, on the ground floor, so that any kernel package can show it
without importing the pages above it."""

from django.shortcuts import render


class Refusal(Exception):
    """An action refused for a reason the person must read: MESSAGE."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def error_page(request, status, title, message, **extra):
    """The site's error page: TITLE, MESSAGE, and the way home."""
    return render(request, "core/error.html", {"title": title, "message": message, **extra}, status=status)
