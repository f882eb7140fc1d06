"""The budgets component's read API under /api/v1 (and the vote endpoint), one router per part."""

from ninja import Router

from concerto.components.budgets import api_ballots, api_projects, api_results

router = Router(tags=["budgets"])
router.add_router("", api_projects.router)
router.add_router("", api_ballots.router)
router.add_router("", api_results.router)
