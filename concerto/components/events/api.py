"""The events component's read API under /api/v1 (owner: minutes helper)."""

from ninja import Router

router = Router(tags=["events"])
