"""Reading proposals: the filters and orders shared by the public list, the map, the API and the exports.

Everything here is one SQL query whatever the page size: the counters the lists sort on are columns of
Proposal (kept up to date by the services), so no list aggregates the supports or the comments.
"""

import random

from django.core.paginator import Paginator
from django.db.models import BigIntegerField, F, Value
from django.db.models.functions import Cast

from concerto.components.proposals import text as words
from concerto.components.proposals.models import Proposal
from concerto.core.texts import similar as similar_texts

# The random order: each proposal gets the key ((id * MULTIPLIER + seed) mod MODULUS)² mod MODULUS, computed
# by the database in 64-bit integers (SQLite and PostgreSQL alike). MODULUS is a prime, so for one seed
# the keys are well spread and stable: the same seed gives the same order on every page.
MODULUS = 2_147_483_647
MULTIPLIER = 48_271
MAX_SEED = MODULUS - 1

ORDERS = ("random", "recent", "supports", "comments")
STATUSES = ("unanswered", *[value for value in Proposal.Answer.values if value], "withdrawn")
SIMILAR_LIMIT = 5
# The back-office's likely duplicates compare the most recent proposals with all the others (a queue's new ones).
DUPLICATES_RECENT = 100


def new_seed() -> int:
    return random.SystemRandom().randint(1, MAX_SEED)


def parse_seed(raw) -> int | None:
    try:
        seed = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return seed if 0 <= seed <= MAX_SEED else None


def filtered(queryset, *, q: str = "", category=None, status: str = "", commune=None, **_ignored):
    """QUERYSET narrowed by the list's filters (each one optional)."""
    for term in words.search_terms(q):
        queryset = queryset.filter(search_text__contains=term)
    if category:
        queryset = queryset.filter(category_id=category)
    if commune:
        queryset = queryset.filter(commune_id=commune)
    if status == "withdrawn":
        queryset = queryset.filter(withdrawn_at__isnull=False)
    elif status == "unanswered":
        queryset = queryset.filter(answer_status="")
    elif status in Proposal.Answer.values and status:
        queryset = queryset.filter(answer_status=status)
    return queryset


def ordered(queryset, order: str, seed: int = 0):
    """QUERYSET in ORDER (one of ORDERS); ids break ties, so that pages never overlap."""
    if order == "recent":
        return queryset.order_by("-created_at", "-id")
    if order == "supports":
        return queryset.order_by("-support_count", "-id")
    if order == "comments":
        return queryset.order_by("-comment_count", "-id")
    mixed = (Cast(F("id"), BigIntegerField()) * Value(MULTIPLIER) + Value(seed or 0)) % Value(MODULUS)
    return queryset.annotate(
        random_key=(mixed * mixed) % Value(MODULUS, output_field=BigIntegerField())
    ).order_by("random_key", "id")


# What a list card does not show: left out of the rows a list page reads.
LIST_DEFERRED = ("text", "search_text", "title_words", "answer_text", "hidden_reason", "image_alt")


def page_of(queryset, number, per_page: int, *, related=("category", "commune")):
    """Page NUMBER of QUERYSET (a Django Page whose object_list holds the proposals, in order).

    The order and the offset are worked out on ids alone, then only the page's rows are read: a deep page
    of a large list then sorts narrow rows (an index often covers them) instead of whole proposals."""
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = {proposal.pk: proposal
            for proposal in Proposal.objects.filter(pk__in=ids).select_related(*related).defer(*LIST_DEFERRED)}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def slice_of(queryset, offset: int, limit: int, *, related=()) -> list[Proposal]:
    """Proposals OFFSET to OFFSET + LIMIT of QUERYSET, read in two steps as in page_of."""
    ids = list(queryset.values_list("pk", flat=True)[offset:offset + limit])
    rows = {proposal.pk: proposal for proposal in Proposal.objects.filter(pk__in=ids).select_related(*related)}
    return [rows[pk] for pk in ids if pk in rows]


def similar_candidates(component):
    """What may be suggested as similar: the proposals anyone sees, neither withdrawn, merged nor rejected."""
    return (component.proposals.visible().filter(withdrawn_at__isnull=True, merged_into__isnull=True)
            .exclude(answer_status=Proposal.Answer.REJECTED))


def similar(component, text: str, *, exclude_pk=None, limit: int = SIMILAR_LIMIT,
            threshold: float = similar_texts.RESIDENT_THRESHOLD) -> list[Proposal]:
    """Up to LIMIT proposals of COMPONENT closest to TEXT (a title, or a title and a description being typed),
    the closest first, each with its `similarity`: French words compared by their stems, without accents or
    function words (concerto/core/texts/similar.py)."""
    candidates = similar_candidates(component)
    scope = similar_texts.queryset_scope(f"proposals:{component.pk}", candidates)
    found = similar_texts.suggestions(scope, candidates.only("id", "title", "support_count", "component_id"),
                                      text, limit=limit, threshold=threshold,
                                      exclude=[exclude_pk] if exclude_pk else [])
    for proposal in found:
        proposal.component = component
    return found


def likely_duplicates(component, *, recent: int = DUPLICATES_RECENT,
                      threshold: float = similar_texts.DUPLICATE_THRESHOLD) -> list[tuple[Proposal, Proposal, float]]:
    """Pairs (older, newer, score) of COMPONENT's proposals that say much the same thing, the closest first: each
    of the RECENT most recent candidates (`similar_candidates`) against all of them, each pair once."""
    candidates = similar_candidates(component)
    scope = similar_texts.queryset_scope(f"proposals:{component.pk}", candidates)
    found = similar_texts.likely_duplicates(scope, candidates, recent=recent, threshold=threshold)
    for older, newer, _score in found:
        older.component = newer.component = component
    return found


def idea_candidates(component):
    """The proposals of COMPONENT that may become budget projects: public, not withdrawn, merged or rejected."""
    return (Proposal.objects.public().filter(component=component, withdrawn_at__isnull=True, merged_into__isnull=True)
            .exclude(answer_status=Proposal.Answer.REJECTED).select_related("author", "commune"))


def idea_supporters(proposal) -> list[int]:
    return list(proposal.supports.exclude(user=None).values_list("user_id", flat=True))
