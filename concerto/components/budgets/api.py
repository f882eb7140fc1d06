"""The budgets component's API under /api/v1: reading, the vote, and ideas that become projects, one router per
part."""

from ninja import Router

from concerto.components.budgets import api_ballots, api_ideas, api_projects, api_results

router = Router(tags=["budgets"])
# Before the projects: `/projects/from-ideas` must not be read as `/projects/{project_id}`.
router.add_router("", api_ideas.router)
router.add_router("", api_projects.router)
router.add_router("", api_ballots.router)
router.add_router("", api_results.router)
