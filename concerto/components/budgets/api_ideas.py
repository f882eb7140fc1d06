"""Ideas that become projects, through the API (mounted at /api/v1/budgets/): the same service as the
back-office page `.../budget-participatif/<id>/idees/` (services.projects_from_ideas), the same permission
(`budgets.manage`: the agents and administrators of the organisation or above; elected officials, evaluators
and other communes are refused), the same audit entries and notifications.

An idea is named by its key, "<component id>:<item id>", as `GET /ideas` lists them. The conversion is all
or nothing: one key that names no idea of the space still waiting to become a project, and nothing changes
(422, each refused key named in `errors`).
"""

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from concerto.api.auth import WRITE_AUTH, require_permission
from concerto.api.common import ErrorOut, Id, Pagination, ValidationErrorOut
from concerto.api.errors import json_error
from concerto.components.budgets.models import Budget
from concerto.components.budgets.permissions import MANAGE
from concerto.components.budgets.services.common import ProjectError
from concerto.components.budgets.services.ideas import IdeasRefused, ideas_eligible, projects_from_ideas
from concerto.core.spaces.lookup import component_by_id

router = Router(tags=["budgets"])

MAX_IDEAS = 500
KEY = r"^[0-9]{1,10}:[0-9]{1,10}$"


class IdeaOut(Schema):
    key: str = Field(description="What to send in `ideas` to turn it into a project: \"<component id>:<item id>\".")
    component: int = Field(description="Id of the component the idea belongs to (a proposals component).")
    id: int = Field(description="Id of the idea in its component (a proposal's id).")
    title: str
    supporters: int = Field(description="How many people supported it: they will follow the project.")
    url: str


class FromIdeasIn(Schema):
    component_id: Id = Field(description="Id of the budgets component the projects join.")
    budget_id: Id | None = Field(None, description="Id of one of its budgets (envelopes); none: no envelope yet.")
    ideas: list[str] = Field(min_length=1, max_length=MAX_IDEAS, description="Keys of the ideas, as listed by "
                             "`GET /api/v1/budgets/ideas`.", json_schema_extra={"items": {"pattern": KEY}})


class CreatedProjectOut(Schema):
    id: int
    title: str
    budget: int | None
    idea: str = Field(description="Key of the idea it came from.")
    url: str


AUTH_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _component(request, component_id: int):
    """The budgets component, if the caller may manage it; a 404 for a caller of another organisation when
    it is not public."""
    missing = _("No participatory budget has this id.")
    component = component_by_id("budgets", component_id, not_found=missing)
    public = component.published and component.space.is_published
    require_permission(request, MANAGE, component, hidden="" if public else missing)
    return component


@router.get("/ideas", auth=WRITE_AUTH, response=list[IdeaOut], summary="Ideas that may become projects")
@paginate(Pagination)
def idea_list(request, component: Id):
    """The ideas (proposals) of the budgets component's space that may still become projects, the most
    supported first. For the agents and administrators of its organisation."""
    found = _component(request, component)
    return [{"key": idea.key, "component": idea.component.pk, "id": idea.item.pk, "title": idea.item.title,
             "supporters": len(idea.supporters), "url": request.build_absolute_uri(idea.item.get_absolute_url())}
            for idea in ideas_eligible(found)]


@router.post("/projects/from-ideas", auth=WRITE_AUTH, response={201: list[CreatedProjectOut], **AUTH_ERRORS,
                                                                 429: ErrorOut},
             summary="Turn ideas into projects")
def projects_from_ideas_endpoint(request, payload: FromIdeasIn):
    """Turn the ideas named by `ideas` into projects of the component (in `budget_id`, one of its budgets):
    each project keeps the idea's author (notified), text and place, and the idea's supporters follow it.
    All or nothing."""
    component = _component(request, payload.component_id)
    budget = None
    if payload.budget_id is not None:
        budget = Budget.objects.filter(pk=payload.budget_id, component=component).first()
        if budget is None:
            return _refused(_("Choose a budget of this participatory budget."), "budget_id")
    malformed = [key for key in payload.ideas if not _is_key(key)]
    if malformed:
        return _refused(_("Only ideas of this space that have not become a project yet can be turned into "
                          "projects: %(count)s of the ticked ideas cannot. Nothing was changed.")
                        % {"count": len(malformed)}, "ideas", malformed, payload.ideas)
    try:
        projects = projects_from_ideas(actor=request.auth, component=component, budget=budget, keys=payload.ideas)
    except IdeasRefused as error:
        return _refused(error.message, "ideas", error.keys, payload.ideas)
    except ProjectError as error:
        return _refused(error.message, "ideas")
    keys = list(dict.fromkeys(payload.ideas))
    return Status(201, [{"id": project.pk, "title": project.title, "budget": project.budget_id, "idea": key,
                         "url": request.build_absolute_uri(project.get_absolute_url())}
                        for project, key in zip(projects, keys, strict=True)])


def _is_key(key: str) -> bool:
    component, colon, item = key.partition(":")
    return bool(colon) and component.isdigit() and item.isdigit() and len(component) <= 10 and len(item) <= 10


def _refused(detail: str, field: str, keys=(), sent=()):
    """A 422 saying DETAIL; each refused key of KEYS named at its place in SENT."""
    if not keys:
        return json_error(422, detail, errors=[{"field": field, "location": "body", "message": detail}])
    refused = set(keys)
    errors = [{"field": f"{field}.{index}", "location": "body",
               "message": _("“%(key)s” is not an idea of this space that can still become a project.")
               % {"key": key}}
              for index, key in enumerate(sent) if key in refused]
    return json_error(422, detail, errors=errors)
