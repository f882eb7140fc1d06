"""Short links, `/l/<code>`: the kernel's one way to print or send a tagged address of this site (print kits today,
campaigns later) and count how often it is followed.

A short link only ever sends to a path of this site, checked when it is made and again when it is followed, so it
can never serve as an open redirect. Each visit adds one to the link's count of the day with one UPDATE ... SET
visits = visits + 1 (or the day's first row, its unique constraint catching a parallel first visit): simultaneous
scans are all counted. Nothing about the person is kept: no address, no time, no cookie of ours beyond the session.
A sender (network address) following links faster than LIMIT is still sent on, but no longer counted, so that a
script cannot inflate the figures.

The visit is marked in the session under SOURCE_SESSION_KEY (source kind, source id, code, day); a contribution
made in the same browser within CONCERTO_ATTRIBUTION_DAYS keeps the link's source on its ledger row
(core/attribution.py), and `contributions_brought` / `people_brought` count them for a kit or a campaign.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from concerto.core import ratelimit
from concerto.core.attribution import SOURCE_SESSION_KEY as SOURCE_SESSION_KEY  # its home; the short links write it
from concerto.core.attribution import source_mark
from concerto.core.mobilisation.models import SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH, ShortLink, ShortLinkDay
from concerto.core.participation.models import Contribution

LIMIT = "short_link"


def is_local_path(target: str) -> bool:
    """Whether TARGET is a path of this site ("/sceaux/..."), not an address elsewhere ("//evil", "https://...",
    "/\\evil", "javascript:...")."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(char in target for char in "\\\r\n\t") or any(ord(char) < 32 for char in target):
        return False
    return url_has_allowed_host_and_scheme(target, allowed_hosts=set(), require_https=False)


def _new_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def short_link_create(*, organisation, target: str, source_kind: str, source_id=None, label: str = "",
                      created_by=None) -> ShortLink:
    """A new short link of ORGANISATION to TARGET, a path of this site (ValidationError otherwise)."""
    if not is_local_path(target) or len(target) > ShortLink._meta.get_field("target").max_length:
        raise ValidationError(_("A short link can only lead to a page of this site."), code="not_local")
    for _attempt in range(5):  # 31^8 codes: a clash is rare, and the unique index catches it
        try:
            with transaction.atomic():
                return ShortLink.objects.create(
                    organisation=organisation, code=_new_code(), target=target, source_kind=source_kind,
                    source_id=source_id, label=label[:200], created_by=created_by)
        except IntegrityError:
            continue
    raise RuntimeError("no free short code after five attempts")


def short_link_count(*, link: ShortLink, day: datetime.date | None = None) -> None:
    """One more visit of LINK on DAY (today), atomically."""
    day = day or timezone.localdate()
    if ShortLinkDay.objects.filter(link=link, day=day).update(visits=F("visits") + 1):
        return
    try:
        with transaction.atomic():
            ShortLinkDay.objects.create(link=link, day=day, visits=1)
    except IntegrityError:  # another visit created the day's row meanwhile
        ShortLinkDay.objects.filter(link=link, day=day).update(visits=F("visits") + 1)


def short_link_follow(request, code: str) -> str | None:
    """The path to send the visitor of `/l/CODE` to, having counted the visit and marked it in the session; None for
    a code that does not exist (or a target that is no longer a local path)."""
    link = ShortLink.objects.filter(code=code.lower()).first() if code else None
    if link is None or not is_local_path(link.target):
        return None
    if getattr(request, "session", None) is not None:
        source_mark(request.session, kind=link.source_kind, source_id=link.source_id, code=link.code)
    if ratelimit.lookup_allowed(LIMIT, request):
        short_link_count(link=link)
    return link.target


def visits_of(links, *, days: int = 30) -> dict[int, tuple[int, int]]:
    """{link id: (visits in all, visits in the last DAYS days)} for LINKS."""
    ids = [link.pk for link in links]
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    totals = dict(ShortLinkDay.objects.filter(link_id__in=ids).values("link_id").annotate(n=Sum("visits"))
                  .values_list("link_id", "n"))
    recent = dict(ShortLinkDay.objects.filter(link_id__in=ids, day__gte=since).values("link_id")
                  .annotate(n=Sum("visits")).values_list("link_id", "n"))
    return {pk: (totals.get(pk) or 0, recent.get(pk) or 0) for pk in ids}


def brought_by(source_kind: str, source_ids) -> dict[int, tuple[int, int]]:
    """{source id: (contributions, people)} that the links of SOURCE_KIND and SOURCE_IDS brought (see
    `people_brought` for how people are counted)."""
    rows = (Contribution.objects.filter(source_kind=source_kind, source_id__in=list(source_ids))
            .values("source_id").annotate(rows=Count("pk"), authors=Count("author", distinct=True),
                                          anonymous=Count("pk", filter=Q(author__isnull=True))))
    found = {row["source_id"]: (row["rows"], row["authors"] + row["anonymous"]) for row in rows}
    return {pk: found.get(pk, (0, 0)) for pk in source_ids}


def contributions_brought(source_kind: str, source_id) -> int:
    """How many contributions were made in a browser that had followed a link of SOURCE_KIND / SOURCE_ID (a print
    kit, a campaign) less than CONCERTO_ATTRIBUTION_DAYS before, and not another link since."""
    return Contribution.objects.filter(source_kind=source_kind, source_id=source_id).count()


def people_brought(source_kind: str, source_id) -> int:
    """How many people made those contributions: distinct accounts, and each contribution without an account (an
    anonymous answer, an erased person) as one person, since nothing tells two of them apart."""
    return brought_by(source_kind, [source_id])[source_id][1]
