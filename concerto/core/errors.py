"""The kernel's one shape for "refused, and here is why": services raise a Refusal (or a subclass of their own,
to be caught by name) whose `message` is written for the person, in their language; the page, the API or
the chat shows it as is."""


class Refusal(Exception):
    """An action refused for a reason the person must read: MESSAGE."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
