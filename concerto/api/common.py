"""Shared pieces for the API's routers and the components' routers: pagination, input types, lookups."""

from datetime import datetime
from typing import Annotated, Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from concerto.core import inputs
from concerto.core.participation.behalf import behalf_choices, refused
from concerto.core.territory.models import Organisation
from concerto.core.texts.similar import API_TEXT_MAX

MAX_LIMIT = 100
# Bounded so that no value a client sends overflows a database integer.
MAX_ID = 2**31 - 1

Slug = Annotated[str, Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=100)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# PostgreSQL refuses NUL characters in text: every text the API receives is checked (errors.nul_errors); the
# pattern also tells clients, in the published schema.
NO_NUL = r"^[^\x00]*$"


def _datetime_checked(value: datetime) -> datetime:
    try:
        return inputs.datetime_check(value)
    except inputs.BadInput as error:
        raise PydanticCustomError("datetime_range", error.message) from None


# A date and time the database can hold (offset within ±15:59, a year PostgreSQL and Python agree on); a naive
# one is in the site's time zone.
DateTime = Annotated[datetime, AfterValidator(_datetime_checked)]


class Pagination(LimitOffsetPagination):
    """`limit` (1 to 100, 20 by default) and `offset`; the answer is `{"items": [...], "count": n}`."""

    class Input(Schema):
        limit: int = Field(20, ge=1, le=MAX_LIMIT, description="Items per page (at most 100).")
        offset: int = Field(0, ge=0, le=MAX_ID, description="How many items to skip.")

    def __init__(self, **kwargs: Any) -> None:
        kwargs["max_limit"] = MAX_LIMIT
        super().__init__(**kwargs)


class MappedPage:
    """What a paginated endpoint returns when its items are not the rows themselves: the paginator counts and
    slices QUERYSET, and CONVERT(list of the page's rows) turns only the page's rows into their API
    dictionaries (one query for the page's figures rather than one per row)."""

    def __init__(self, queryset, convert):
        self.queryset, self.convert = queryset, convert

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return self.convert(list(self.queryset[item]))


def organisation_or_404(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404(_("No organisation has the slug “%(slug)s”.") % {"slug": slug})
    return organisation


def absolute_url(request, path: str) -> str:
    return request.build_absolute_uri(path)


class ErrorOut(Schema):
    detail: str


# --- Contributing « au nom de » an actor of the directory (core/participation/behalf.py) ------------------------

BEHALF_REFUSED = "not_a_member"
OnBehalfOfId = Annotated[Id | None, Field(description=(
    "Id of an actor of the directory (an association, a school...) to contribute on behalf of: the caller must be a "
    "confirmed member of it, and it must belong to the item's commune; otherwise 403 with `code`: "
    f"`{BEHALF_REFUSED}`, and nothing is saved. Null or absent: in the caller's own name."))]


class OnBehalfOfOut(Schema):
    id: int
    name: str = Field(description="The actor's public name (never a person's).")


class CodedHttpError(HttpError):
    """An HTTP error whose body carries a `code` for programs besides the French `detail` (errors.on_http_error)."""

    def __init__(self, status_code: int, message: str, code: str):
        super().__init__(status_code, message)
        self.code = code


def behalf_actor_or_403(user, organisation, actor_id):
    """The actor ACTOR_ID that USER may sign for in ORGANISATION's items, None for None; 403 `not_a_member`
    otherwise (the services check it again, for the pages and the chats)."""
    if actor_id is None:
        return None
    actor = next((actor for actor in behalf_choices(user, organisation) if actor.pk == actor_id), None)
    if actor is None:
        raise CodedHttpError(403, refused().messages[0], BEHALF_REFUSED)
    return actor


# --- "Similar" endpoints: what a client asks before posting (concerto/core/texts/similar.py) -------------------

SimilarText = Annotated[str, Field(max_length=API_TEXT_MAX, pattern=NO_NUL, description=(
    "The text about to be posted (a title and a description, one after the other). French words are compared by "
    "their stems, without accents or function words; a text without any word finds nothing."))]


class SimilarItemOut(Schema):
    """What every similar item says, besides its own fields."""

    id: int
    similarity: float = Field(description="From 0 to 1: how close its text is to the text sent.")
    url: str = Field(description="Its public page, where a resident supports or follows it.")


class SimilarSupportedOut(SimilarItemOut):
    """A similar item that residents support (a proposal, a question to the elected officials)."""

    title: str
    supports: int


def similar_items(request, find, text: str, describe=None) -> list[dict]:
    """The answer of a "similar" endpoint: FIND(TEXT)'s items (rate-limited, see `similar.api_lookup`), each
    as its id, similarity and absolute URL, with DESCRIBE(item)'s fields (by default its title and supports)."""
    from concerto.core.texts.similar import api_lookup

    def supported(item) -> dict:
        return {"title": item.title, "supports": item.support_count}

    describe = describe or supported
    return [{"id": item.pk, "similarity": item.similarity, "url": request.build_absolute_uri(item.get_absolute_url()),
             **describe(item)} for item in api_lookup(request, find, text)]


class FieldErrorOut(Schema):
    field: str
    location: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


# A "similar" endpoint's errors: an unknown or unpublished id or slug, a text too long, too many look-ups.
SIMILAR_ERRORS = {404: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut}


def filter_by_place(queryset, filters):
    """QUERYSET (of rows with a `component`, and a `commune` when FILTERS has one) narrowed to what FILTERS
    set of `organisation` (a slug), `space`, `component` (ids) and `commune` (a slug); an unknown slug is a
    404. A filters schema declares only those it offers."""
    if getattr(filters, "organisation", None):
        queryset = queryset.filter(component__space__organisation=organisation_or_404(filters.organisation))
    if getattr(filters, "space", None):
        queryset = queryset.filter(component__space_id=filters.space)
    if getattr(filters, "component", None):
        queryset = queryset.filter(component_id=filters.component)
    if getattr(filters, "commune", None):
        queryset = queryset.filter(commune=organisation_or_404(filters.commune))
    return queryset
