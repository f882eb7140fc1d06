"""The reports component's read API under /api/v1 (owner: open311 helper)."""

from ninja import Router

router = Router(tags=["reports"])
