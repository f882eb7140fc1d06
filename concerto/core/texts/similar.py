"""Similar ideas: the existing items of a scope whose text is closest to a text being typed.

A **scope** is what may be suggested: a component's public proposals, a budget's projects, a commune's open
reports. Its texts are read the kernel's one way (`analysis.vectorizer`: French stems, no accents, no function
words), weighted by TF-IDF, each row normalised, so that the cosine of two texts is a dot product. The typed text
goes through the same vectoriser; its score against every row is one sparse product with the **transposed**
matrix (terms × items, an inverted index): only the rows of the query's few terms are read, whatever the size of
the scope.

Where the index lives: in each process's memory, one per scope, with the scope's **version** (its number of rows,
largest change time and sum of ids: one aggregate query, cheap next to a fit). The version is asked at most every
`CONCERTO_SIMILAR_CHECK_SECONDS` (5) per process and scope. When it changed:
- a small scope (at most `CONCERTO_SIMILAR_SYNC_ROWS`, 5,000 rows) is fitted again in the request (≈ 0.3 s at
  5,000 rows, a few ms for the usual few hundred);
- a larger one is fitted again by a background thread of that process while the previous index keeps answering,
  at most every `CONCERTO_SIMILAR_REFIT_SECONDS` (300: new proposals arriving every few seconds must not keep a
  process fitting); a process that has none yet starts the thread and suggests nothing until it is ready (the
  first seconds after a start). No request ever waits for the fit of a large scope.
Each process of a multi-process deployment builds its own copy (about 15 MB for 100,000 proposals, measured by
`bench/similar_ideas.py`); at most `CONCERTO_SIMILAR_MAX_ROWS` rows (1,000,000) are kept per process, the scopes
used least recently are dropped first. A stale index may name an item hidden, merged or rejected since: callers
read the suggested items again through the scope's live queryset (`suggestions` does), so such an item is never
shown; a new item is suggested once the next fit is done (a few seconds).
"""

import re
import threading
import time
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import connections
from django.db.models import Count, Max, Sum
from scipy.sparse import csr_matrix
from sklearn.preprocessing import normalize

from concerto.core.richtext import plain_text
from concerto.core.texts.analysis import strip_accents, term, terms, vectorizer

# Cosine scores: above RESIDENT_THRESHOLD an item is shown to someone typing; above DUPLICATE_THRESHOLD two items
# are shown to agents as likely duplicates (measured on paraphrases in the tests: same idea ≈ 0.4–0.8, same
# street or same word only ≈ 0.1–0.25).
RESIDENT_THRESHOLD = 0.25
DUPLICATE_THRESHOLD = 0.45
LIMIT = 5


@dataclass(frozen=True)
class Version:
    """What says that a scope's texts changed: ROWS is also how the index is rebuilt (now or in the background)."""

    rows: int
    stamp: Hashable = None


@dataclass(frozen=True)
class Scope:
    """KEY names the scope in the process's indexes ("proposals:12"); ROWS gives its (id, text) pairs; VERSION
    its current Version."""

    key: str
    rows: Callable[[], Iterable[tuple[int, str]]]
    version: Callable[[], Version]


@dataclass
class Index:
    """A fitted scope: the vectoriser (which gives raw TF-IDF weights: queries are normalised by `search`), the
    transposed normalised matrix (terms × items), the items' ids, and the terms in alphabetical order with their
    columns (to complete the word being typed)."""

    vectoriser: object
    by_term: object  # scipy CSR, float32
    ids: np.ndarray
    terms: list = field(default_factory=list)
    columns: np.ndarray | None = None
    version: Version | None = None
    checked_at: float = 0.0
    fitted_at: float = 0.0

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        matrix = self.by_term
        return matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes + self.ids.nbytes


def build(rows: Iterable[tuple[int, str]]) -> Index:
    """The index of ROWS, (id, text) pairs. An empty scope (or one without a single term) gives an empty index."""
    ids, texts = [], []
    for pk, text in rows:
        ids.append(pk)
        texts.append(text)
    vectoriser = vectorizer(dtype=np.float32)
    try:
        matrix = vectoriser.fit_transform(texts)
    except ValueError:  # no text, or not one term in any of them
        return Index(vectoriser=None, by_term=None, ids=np.array([], dtype=np.int64))
    vectoriser.stop_words_ = None  # the terms scikit-learn left out: not needed to read a query
    vectoriser.norm = None  # a query is completed (`_query`), then normalised
    ordered = sorted(vectoriser.vocabulary_.items())
    return Index(vectoriser=vectoriser, by_term=matrix.T.tocsr(), ids=np.array(ids, dtype=np.int64),
                 terms=[name for name, _column in ordered],
                 columns=np.array([column for _name, column in ordered], dtype=np.int64))


# The last word of a text, when the text ends with it: the word being typed.
LAST_WORD = re.compile(r"[^\W\d_]{3,}$")
COMPLETIONS = 3


def _query(index: Index, text: str):
    """TEXT's normalised vector. When TEXT ends in the middle of a word (« pistes cycl ») that is not a known term,
    the COMPLETIONS most common terms that begin like it (« cyclabl », « cycliste ») share that word's weight."""
    query = index.vectoriser.transform([text])
    typing = LAST_WORD.search(text[-40:])  # the tail only: a search over a long run of letters would be quadratic
    if typing is not None:
        word = typing.group().lower()
        prefix = strip_accents(word)
        start, end = bisect_left(index.terms, prefix), bisect_left(index.terms, prefix + "\uffff")
        own = index.vectoriser.vocabulary_.get(term(word))
        if end > start and (own is None or query[0, own] == 0):
            columns = index.columns[start:end]
            idf = index.vectoriser.idf_[columns]
            chosen = np.argsort(idf, kind="stable")[:COMPLETIONS]
            weights = idf[chosen] / len(chosen)
            query = query + csr_matrix((weights, (np.zeros(len(chosen), dtype=np.int64), columns[chosen])),
                                       shape=query.shape)
    return normalize(query)


def search(index: Index, text: str, *, limit: int = LIMIT, threshold: float = RESIDENT_THRESHOLD,
           exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
    """The (id, score) of the LIMIT items of INDEX closest to TEXT with a score of at least THRESHOLD, best first
    (ties: the smaller id, the older item, first); ids in EXCLUDE are left out."""
    if index.vectoriser is None or limit <= 0:
        return []
    query = _query(index, text)
    if not query.nnz:
        return []
    scores = (query @ index.by_term).tocsr()
    found, values = scores.indices, scores.data
    keep = values >= threshold - 1e-6
    found, values = found[keep], values[keep]
    excluded = np.fromiter((int(pk) for pk in exclude), dtype=np.int64)
    if excluded.size:
        keep = ~np.isin(index.ids[found], excluded)
        found, values = found[keep], values[keep]
    if len(values) > limit:
        best = np.argpartition(-values, limit - 1)[:limit]
        found, values = found[best], values[best]
    order = np.lexsort((index.ids[found], -values))
    return [(int(index.ids[found[i]]), round(float(values[i]), 4)) for i in order]


# --- The process's indexes -------------------------------------------------------------------------------------

@dataclass
class _Indexes:
    entries: "OrderedDict[str, Index]" = field(default_factory=OrderedDict)
    building: set = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


_indexes = _Indexes()


def _setting(name: str, default):
    return getattr(settings, name, default)


def _keep(key: str, index: Index) -> None:
    """Keep INDEX as KEY's, dropping the least recently used scopes beyond CONCERTO_SIMILAR_MAX_ROWS."""
    limit = _setting("CONCERTO_SIMILAR_MAX_ROWS", 1_000_000)
    with _indexes.lock:
        _indexes.entries[key] = index
        _indexes.entries.move_to_end(key)
        while len(_indexes.entries) > 1 and sum(entry.size for entry in _indexes.entries.values()) > limit:
            _indexes.entries.popitem(last=False)


def _fit(scope: Scope, version: Version) -> Index:
    index = build(scope.rows())
    index.version = version
    index.checked_at = index.fitted_at = time.monotonic()
    _keep(scope.key, index)
    return index


def _fit_in_background(scope: Scope, version: Version) -> None:
    with _indexes.lock:
        if scope.key in _indexes.building:
            return
        _indexes.building.add(scope.key)

    def run():
        try:
            _fit(scope, version)
        finally:
            with _indexes.lock:
                _indexes.building.discard(scope.key)
            connections.close_all()  # this thread's own connections

    threading.Thread(target=run, name=f"similar-{scope.key}", daemon=True).start()


def current(scope: Scope) -> Index | None:
    """SCOPE's index in this process, fitted again if its version changed (see the module's docstring); None
    while a large scope's first fit runs in the background."""
    now = time.monotonic()
    with _indexes.lock:
        index = _indexes.entries.get(scope.key)
        if index is not None:
            _indexes.entries.move_to_end(scope.key)
    if index is not None and now - index.checked_at < _setting("CONCERTO_SIMILAR_CHECK_SECONDS", 5):
        return index
    version = scope.version()
    if index is not None and index.version == version:
        index.checked_at = now
        return index
    if version.rows <= _setting("CONCERTO_SIMILAR_SYNC_ROWS", 5_000):
        return _fit(scope, version)
    if index is not None and now - index.fitted_at < _setting("CONCERTO_SIMILAR_REFIT_SECONDS", 300):
        index.checked_at = now  # a large scope is fitted again at most every REFIT_SECONDS: a fit costs seconds
        return index
    _fit_in_background(scope, version)
    return index


def similar(scope: Scope, text: str, *, limit: int = LIMIT, threshold: float = RESIDENT_THRESHOLD,
            exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
    """The (id, score) of SCOPE's items closest to TEXT (see `search`); nothing for a text without a term."""
    if not terms(text):
        return []
    index = current(scope)
    return search(index, text, limit=limit, threshold=threshold, exclude=exclude) if index is not None else []


def forget(key: str | None = None) -> None:
    """Drop KEY's index from this process (all of them without KEY): tests, or memory to give back."""
    with _indexes.lock:
        if key is None:
            _indexes.entries.clear()
        else:
            _indexes.entries.pop(key, None)


# --- Scopes read from the database ----------------------------------------------------------------------------

def document(title: str, body: str = "") -> str:
    """The text an item is compared by: its title counts twice (it says what the item is about), then its body
    without markup."""
    title = title or ""
    return f"{title}\n{title}\n{plain_text(body) if body and '<' in body else body or ''}"


def queryset_scope(key: str, queryset, *, title: str = "title", body: str = "text",
                   changed: str = "updated_at") -> Scope:
    """The scope of QUERYSET's items, compared by their TITLE and BODY fields; CHANGED is a field that moves when
    an item's text does (its version is the number of rows, the largest CHANGED and the sum of ids)."""
    queryset = queryset.order_by()

    def rows():
        for pk, item_title, item_body in queryset.values_list("pk", title, body).iterator(chunk_size=2_000):
            yield pk, document(item_title, item_body)

    def version():
        figures = queryset.aggregate(rows=Count("pk"), last=Max(changed), ids=Sum("pk"))
        return Version(rows=figures["rows"], stamp=(figures["last"], figures["ids"]))

    return Scope(key=key, rows=rows, version=version)


def suggestions(scope: Scope, queryset, text: str, *, limit: int = LIMIT, threshold: float = RESIDENT_THRESHOLD,
                exclude: Iterable[int] = ()) -> list:
    """The items of QUERYSET (read now: one hidden or merged since the fit is left out) that SCOPE finds closest
    to TEXT, best first, each with its `similarity` (0 to 1)."""
    found = similar(scope, text, limit=limit * 3, threshold=threshold, exclude=exclude)
    if not found:
        return []
    items = queryset.in_bulk([pk for pk, _score in found])
    result = []
    for pk, score in found:
        item = items.get(pk)
        if item is not None:
            item.similarity = score
            result.append(item)
    return result[:limit]


def likely_pairs(scope: Scope, recent: Iterable[tuple[int, str]], *,
                 threshold: float = DUPLICATE_THRESHOLD) -> list[tuple[int, int, float]]:
    """Likely duplicates for the agents: the pairs (smaller id, larger id, score) of SCOPE's items that say much
    the same thing, the closest first (ties: the smaller ids first), comparing each of RECENT's (id, text) pairs
    (a queue's newest items, their text as `document` gives it) with the whole scope, each pair once; nothing
    while a large scope's first fit runs in the background."""
    index = current(scope)
    if index is None:
        return []
    pairs: dict[tuple[int, int], float] = {}
    for pk, text in recent:
        for other, score in search(index, text, limit=LIMIT, threshold=threshold, exclude=[pk]):
            key = (min(pk, other), max(pk, other))
            pairs[key] = max(score, pairs.get(key, 0))
    return [(first, second, score) for (first, second), score in sorted(pairs.items(),
                                                                         key=lambda item: (-item[1], item[0]))]


def likely_duplicates(scope: Scope, queryset, *, recent: int, title: str = "title", body: str = "text",
                      threshold: float = DUPLICATE_THRESHOLD) -> list[tuple]:
    """`likely_pairs` of QUERYSET's RECENT most recent items (by `created_at`; compared by their TITLE and BODY
    fields, as `queryset_scope` reads them) as (older, newer, score) items of QUERYSET read now: an item hidden
    or closed since the fit is left out."""
    newest = queryset.order_by("-created_at", "-id").values_list("pk", title, body)[:recent]
    pairs = likely_pairs(scope, ((pk, document(item_title, item_body)) for pk, item_title, item_body in newest),
                         threshold=threshold)
    rows = queryset.in_bulk({pk for first, second, _score in pairs for pk in (first, second)})
    found = []
    for first, second, score in pairs:
        if first in rows and second in rows:
            older, newer = sorted((rows[first], rows[second]), key=lambda item: (item.created_at, item.pk))
            found.append((older, newer, score))
    return found


# --- What the resident forms share ----------------------------------------------------------------------------

TYPED_TITLE_MAX = 300
TYPED_TEXT_MAX = 5_000


def typed(data, fields: tuple[str, ...] = ("title", "text")) -> str:
    """The text being typed in a form's FIELDS (its GET or POST data: by default the title and the description),
    each cut to what forms accept (a `title` to a title's length, any other field to a description's)."""
    return "\n".join(str(data.get(name, ""))[:TYPED_TITLE_MAX if name == "title" else TYPED_TEXT_MAX]
                     for name in fields)


def lookup(request, find: Callable[[str], list], fields: tuple[str, ...] = ("title", "text")) -> list | None:
    """FIND(typed text of REQUEST's GET or POST data, in FIELDS), or None when the sender made too many look-ups
    in a short time (the `similar_lookup` limit of concerto.core.ratelimit)."""
    from concerto.core.ratelimit import lookup_allowed

    if not lookup_allowed("similar_lookup", request):
        return None
    return find(typed(request.GET if request.method in ("GET", "HEAD") else request.POST, fields))


def with_supports(found: list) -> list:
    """FOUND (items with a `support_count`), each with its number of supports in words as its `similar_note`
    (includes/similar_ideas.html): a resident sees which one gathers support already."""
    from django.utils.translation import ngettext

    for item in found:
        item.similar_note = ngettext("%(counter)s support", "%(counter)s supports", item.support_count) % {
            "counter": item.support_count}
    return found


def fragment(request, find: Callable[[str], list], template: str, fields: tuple[str, ...] = ("title", "text")):
    """The page fragment a form asks while typing (includes/similar_ideas.html through TEMPLATE); a sender past
    the limit gets an empty 429, which htmx leaves aside (the region keeps what it showed)."""
    from django.http import HttpResponse
    from django.shortcuts import render

    from concerto.core.ratelimit import limit_of

    found = lookup(request, find, fields)
    if found is None:
        return HttpResponse(status=429, headers={"Retry-After": str(limit_of("similar_lookup")[1])})
    return render(request, template, {"similar": found})


# --- What the API's "similar" endpoints share ------------------------------------------------------------------

API_TEXT_MAX = TYPED_TITLE_MAX + TYPED_TEXT_MAX


def api_lookup(request, find: Callable[[str], list], text: str) -> list:
    """FIND(TEXT cut to what a form accepts) for an API client asking before it posts; past the `similar_lookup`
    limit, RateLimited (the API answers 429 with Retry-After, in its error format)."""
    from django.utils.translation import gettext as _

    from concerto.core.ratelimit import RateLimited, limit_of, lookup_allowed

    if not lookup_allowed("similar_lookup", request):
        seconds = limit_of("similar_lookup")[1]
        raise RateLimited(_("Too many look-ups for similar items in a short time: wait %(minutes)s minutes "
                            "before asking again.") % {"minutes": max(1, seconds // 60)},
                          name="similar_lookup", retry_after=seconds)
    return find(text[:API_TEXT_MAX])
