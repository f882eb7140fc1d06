"""News in the API, mounted by the manifest at /api/v1/news/: public posts, and writing one."""

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from concerto.api.auth import WRITE_AUTH, api_sender, require_permission
from concerto.api.common import (
    NO_NUL,
    ErrorOut,
    Id,
    Pagination,
    Slug,
    ValidationErrorOut,
    filter_by_place,
)
from concerto.components.news.models import Post
from concerto.core.spaces.api import ComponentItemOut
from concerto.core.spaces.lookup import component_by_id

router = Router(tags=["news"])


class PostOut(ComponentItemOut):
    id: int
    title: str
    summary: str
    body: str
    status: str
    published_at: datetime | None
    image: str | None
    image_alt: str
    organisation: str
    space: int
    component: int
    url: str


class PostIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True)

    component_id: Id
    title: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    summary: str = Field("", max_length=300, pattern=NO_NUL)
    body: str = Field(min_length=1, max_length=50_000, pattern=NO_NUL)
    publish: bool = False


def _public_posts():
    return Post.objects.public().select_related("component__space__organisation")


class PostFilters(Schema):
    organisation: Slug | None = Field(None, description="Slug of the organisation.")
    space: Id | None = Field(None, description="Id of the participation space.")


@router.get("/posts", response=list[PostOut], summary="List public news posts")
@paginate(Pagination)
def post_list(request, filters: Query[PostFilters]):
    """Published posts of published components of published spaces, newest first."""
    posts = _public_posts().order_by("-published_at", "-pk")
    posts = filter_by_place(posts, filters)
    return posts


@router.get("/posts/{post_id}", response={200: PostOut, 404: ErrorOut, 422: ValidationErrorOut},
            summary="One public news post")
def post_detail(request, post_id: Id):
    post = _public_posts().filter(pk=post_id).first()
    if post is None:
        raise Http404(_("This news post does not exist or is not published."))
    return post


@router.post("/posts", auth=WRITE_AUTH, summary="Write a news post", response={
    201: PostOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut,
    429: ErrorOut,
})
def post_create_endpoint(request, payload: PostIn):
    """Write a post in a news component; `publish` puts it online at once.

    Needs a role that manages spaces on the component's organisation (agent or administrator)."""
    from concerto.components.news.services import post_create

    missing = _("No news component has this id.")
    component = component_by_id("news", payload.component_id, not_found=missing)
    public = component.published and component.space.is_published
    require_permission(request, "spaces.manage_space", component.organisation, hidden="" if public else missing)
    post = post_create(
        author=request.auth, component=component, title=payload.title, body=payload.body,
        summary=payload.summary, publish=payload.publish, sender=api_sender(request),
    )
    return Status(201, post)
