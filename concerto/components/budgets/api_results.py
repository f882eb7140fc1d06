"""Part of the budgets API (see api.py)."""

from ninja import Router

router = Router()
