"""A person's feed: what is new in what they follow (a commune, a territory, a space, a topic, an item).

Components write one entry when they publish something (`feed_publish`, in the same transaction as the
publication) and withdraw it when it goes back to draft (`feed_withdraw`). The entry belongs to the item itself,
its space, its organisation and that organisation's ancestors (the territory, the Métropole), and to any other
followed thing the component names (topics). Reading a feed takes, for each thing the person follows, the newest
rows of one index range and merges them: a few small queries, however many entries the database holds.
"""

import heapq
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from concerto.core import registry
from concerto.core.audit.services import audit_record
from concerto.core.maps import EARTH_RADIUS_M, degrees_around
from concerto.core.participation.models import FeedEntry, FeedEntryTarget, FeedReader, Follow, FollowedPlace
from concerto.core.spaces.models import Component, Space, Topic
from concerto.core.spaces.topics import topics_of

PAGE_SIZE = 20


@transaction.atomic
def feed_publish(*, item, kind: str, title: str, url: str, organisation, space=None, summary: str = "",
                 targets=(), published_at: datetime | None = None, point=None,
                 to_organisation: bool = True) -> FeedEntry:
    """Record that ITEM (of ORGANISATION, in SPACE) was published as KIND. Publishing again updates the texts and
    the place, and keeps the first date. It belongs to its topics (`spaces.topics.topics_of`: its own, or its
    space's) and to TARGETS, further things named by the caller; POINT, a
    (latitude, longitude), is where it happens, for the people who follow the places around. TO_ORGANISATION
    False keeps it from the followers of the organisation and its ancestors (a report, of interest to the
    neighbours and the followers of its space, not to the whole commune)."""
    source_type = ContentType.objects.get_for_model(item)
    latitude, longitude = point if point is not None else (None, None)
    component = getattr(item, "component", None)
    entry, created = FeedEntry.objects.get_or_create(
        kind=kind, source_type=source_type, source_id=item.pk,
        defaults={"title": title[:300], "summary": summary, "url": url[:500], "organisation": organisation,
                  "space": space, "component": component, "published_at": published_at or timezone.now(),
                  "latitude": latitude,
                  "longitude": longitude})
    if not created:
        entry.title, entry.summary, entry.url = title[:300], summary, url[:500]
        entry.latitude, entry.longitude = latitude, longitude
        entry.save(update_fields=["title", "summary", "url", "latitude", "longitude"])
    wanted = set()
    topics = list(topics_of(item)) if item is space or getattr(item, "component", None) is not None else []
    for target in (space, *((organisation, *organisation.ancestors()) if to_organisation else ()), *topics,
                   *targets):
        if target is not None:
            wanted.add((ContentType.objects.get_for_model(target).pk, target.pk))
    existing = set(entry.targets.values_list("target_type_id", "target_id"))
    FeedEntryTarget.objects.bulk_create(
        [FeedEntryTarget(entry=entry, target_type_id=type_id, target_id=target_id, published_at=entry.published_at,
                         section=kind.split(".", 1)[0])
         for type_id, target_id in sorted(wanted - existing)], ignore_conflicts=True)
    entry.targets.exclude(_pairs(wanted)).delete()
    return entry


def feed_withdraw(*, item, kind: str | None = None) -> int:
    """ITEM leaves the feeds (it went back to draft, or was deleted). Returns how many entries went."""
    entries = FeedEntry.objects.filter(source_type=ContentType.objects.get_for_model(item), source_id=item.pk)
    if kind is not None:
        entries = entries.filter(kind=kind)
    return entries.delete()[1].get(FeedEntry._meta.label, 0)


def _pairs(pairs) -> Q:
    query = Q(pk__in=[])
    for type_id, target_id in pairs:
        query |= Q(target_type_id=type_id, target_id=target_id)
    return query


# Reading ----------------------------------------------------------------------------------------------------

def feed_sections() -> list[tuple[str, str]]:
    """The kinds of things a feed can be filtered on: (prefix of the entries' kind, label)."""
    from django.utils.translation import gettext

    return [("space", gettext("Participation spaces")),
            *((manifest.name, str(manifest.label)) for manifest in registry.components()),
            ("accountability", gettext("Decisions and actions"))]  # core/accountability's entries


@dataclass
class FeedPage:
    entries: list[FeedEntry]
    next_cursor: str  # "" on the last page
    unread: set[int]  # the ids of ENTRIES newer than the person's last visit


def _cursor_parse(cursor: str) -> tuple[datetime, int] | None:
    try:
        stamp, _, pk = cursor.rpartition("_")
        moment = datetime.fromisoformat(stamp)
        return (moment if moment.tzinfo else timezone.make_aware(moment)), int(pk)
    except (ValueError, OverflowError):
        return None


def feed_page(*, user, cursor: str = "", section: str = "", size: int = PAGE_SIZE) -> FeedPage:
    """USER's newest entries, older than CURSOR (from a previous page's `next_cursor`; a cursor that does not
    parse reads from the top), of SECTION (a `feed_sections` prefix) if given."""
    follows = list(Follow.objects.filter(user=user).values_list("target_type_id", "target_id"))
    places = list(FollowedPlace.objects.filter(user=user))
    after = _cursor_parse(cursor) if cursor else None
    newest, more = feed_newest(follows, places, section=section, after=after, size=size)
    by_id = FeedEntry.objects.select_related("organisation").in_bulk([pk for _, pk in newest])
    entries = [by_id[pk] for _, pk in newest if pk in by_id]
    reader = FeedReader.objects.filter(user=user).only("seen_at").first()
    seen_at = reader.seen_at if reader else None
    unread = {entry.pk for entry in entries if seen_at is None or entry.published_at > seen_at}
    next_cursor = f"{newest[-1][0].isoformat()}_{newest[-1][1]}" if more and newest else ""
    return FeedPage(entries=entries, next_cursor=next_cursor, unread=unread)


def feed_newest(follows, places, *, section: str = "", after=None, size: int = PAGE_SIZE):
    """The newest SIZE (published_at, entry id) of FOLLOWS ((content type id, id) pairs) and PLACES
    (FollowedPlace), older than AFTER, and whether there are more: what `feed_page` reads, for callers that
    share one reading between the people who follow the same things (the digests)."""
    # A hundred followed things a query at most (SQLite caps the terms of a UNION and the parameters of a query).
    streams = [_newest(follows[n:n + 100], places if n == 0 else [], section=section, after=after, size=size)
               for n in range(0, max(1, len(follows)), 100)]
    newest, seen = [], set()
    for published_at, entry_id in heapq.merge(*streams, reverse=True):
        if entry_id not in seen:
            seen.add(entry_id)
            newest.append((published_at, entry_id))
    return newest[:size], len(newest) > size


def _newest(follows, places, *, section: str, after, size: int) -> list[tuple[datetime, int]]:
    """The newest SIZE + 1 entries of FOLLOWS (followed things, as (content type id, id)) and PLACES, newest
    first, in one query: a UNION ALL of one small index range per followed thing and one box of the point index
    per place (within the box, the circle is kept by an equirectangular distance: exact to a metre at these
    radii). Written in SQL: the ORM would spend longer composing fifty querysets than the database reading them."""
    if not follows and not places:
        return []
    target, entry, space = FeedEntryTarget._meta.db_table, FeedEntry._meta.db_table, Space._meta.db_table
    component = Component._meta.db_table
    where = ["(e.space_id IS NULL OR s.status <> %s)", "(e.component_id IS NULL OR c.published = %s)"]
    common = [Space.Status.DRAFT.value, True]
    if section:
        where.append("e.kind LIKE %s")
        common.append(f"{section}.%")
    if after is not None:
        moment = connection.ops.adapt_datetimefield_value(after[0])
        where.append("(e.published_at < %s OR (e.published_at = %s AND e.id < %s))")
        common += [moment, moment, after[1]]
    limit = int(size) + 1
    parts, params, prefix = [], [], ""
    # The target row's own date and entry id: its index gives them in order without reading the entries.
    # and a kind is the row's own section, which has its own index range.
    condition = (" AND ".join(where).replace("e.published_at", "t.published_at").replace("e.id <", "t.entry_id <")
                 .replace("e.kind LIKE %s", "t.section = %s"))
    common_t = [section if value == f"{section}.%" and section else value for value in common]
    newest_of = (f"SELECT t.published_at, t.entry_id FROM {target} t "
                 f"JOIN {entry} e ON e.id = t.entry_id LEFT JOIN {space} s ON s.id = e.space_id "
                 f"LEFT JOIN {component} c ON c.id = e.component_id "
                 f"WHERE t.target_type_id = {{type_id}} AND t.target_id = {{target_id}} AND {condition} "
                 f"ORDER BY t.published_at DESC, t.entry_id DESC LIMIT {limit}")
    if follows and connection.vendor == "postgresql":
        # One LATERAL subquery over a list of values: PostgreSQL plans it once (fifty copies in a UNION took it
        # longer to plan than to run).
        prefix = ("WITH followed(type_id, target_id) AS (VALUES "
                  + ", ".join(["(%s::integer, %s::bigint)"] * len(follows)) + ") ")
        params += [value for pair in follows for value in pair]
        parts.append("SELECT x.published_at, x.entry_id FROM followed CROSS JOIN LATERAL ("
                     + newest_of.format(type_id="followed.type_id", target_id="followed.target_id") + ") AS x")
        params += common_t
    else:
        for n, (type_id, target_id) in enumerate(follows):
            parts.append(f"SELECT * FROM ({newest_of.format(type_id='%s', target_id='%s')}) AS f{n}")
            params += [type_id, target_id, *common_t]
    for n, place in enumerate(places):
        dlat, dlon = degrees_around(place.latitude, place.radius)
        scale = math.cos(math.radians(place.latitude))
        parts.append(f"SELECT * FROM (SELECT e.published_at, e.id AS entry_id FROM {entry} e "
                     f"LEFT JOIN {space} s ON s.id = e.space_id LEFT JOIN {component} c ON c.id = e.component_id "
                     f"WHERE e.latitude BETWEEN %s AND %s AND e.longitude BETWEEN %s AND %s "
                     f"AND (e.latitude - %s) * (e.latitude - %s) + (e.longitude - %s) * (e.longitude - %s) * %s <= %s "
                     f"AND {' AND '.join(where)} ORDER BY e.published_at DESC, e.id DESC LIMIT {limit}) AS p{n}")
        params += [place.latitude - dlat, place.latitude + dlat, place.longitude - dlon, place.longitude + dlon,
                   place.latitude, place.latitude, place.longitude, place.longitude, scale * scale,
                   math.degrees(place.radius / EARTH_RADIUS_M) ** 2, *common]
    with connection.cursor() as cursor:
        cursor.execute(f"{prefix}SELECT DISTINCT published_at, entry_id FROM ({' UNION ALL '.join(parts)}) AS newest "
                       f"ORDER BY published_at DESC, entry_id DESC LIMIT {limit}", params)
        rows = cursor.fetchall()
    found = []
    for published_at, entry_id in rows:
        if isinstance(published_at, str):  # SQLite gives the stored text (or a naive datetime), in UTC
            published_at = parse_datetime(published_at)
        if timezone.is_naive(published_at):
            published_at = timezone.make_aware(published_at, UTC)
        found.append((published_at, entry_id))
    return found


def feed_mark_seen(*, user) -> None:
    """USER has looked at their feed now: what was there is no longer unread."""
    reader = _reader(user)
    FeedReader.objects.filter(pk=reader.pk).update(seen_at=timezone.now())


# The secret address of the Atom feed --------------------------------------------------------------------------

def _reader(user) -> FeedReader:
    reader = FeedReader.objects.filter(user=user).first()
    if reader is None:
        reader, _ = FeedReader.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return reader


def feed_token_for(*, user, renew: bool = False) -> str:
    """USER's secret feed token, created on first use; RENEW replaces it (the old address stops working)."""
    reader = _reader(user)
    if renew:
        reader.token = secrets.token_urlsafe(32)
        reader.save(update_fields=["token"])
    return reader.token


def feed_user(token: str):
    """The active user whose feed address holds TOKEN, or None."""
    if not token or len(token) > 64:
        return None
    reader = FeedReader.objects.select_related("user").filter(token=token).first()
    if reader is None or not reader.user.is_active:
        return None
    return reader.user


# Places ---------------------------------------------------------------------------------------------------

def place_follow(*, user, label: str, latitude: float, longitude: float, radius: int) -> FollowedPlace:
    """USER follows what happens within RADIUS metres (one of FollowedPlace.RADII) of a point of the Métropole
    (checked by the form's PointField). Raises ValidationError (French, keyed by field) on bad input."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if radius not in FollowedPlace.RADII:
        raise ValidationError({"radius": [_("Choose one of the distances offered.")]})
    if FollowedPlace.objects.filter(user=user).count() >= FollowedPlace.MAX_PER_PERSON:
        raise ValidationError({"location": [_("You already follow %(count)s places: remove one first.")
                                            % {"count": FollowedPlace.MAX_PER_PERSON}]})
    label = " ".join((label or "").split())[:200] or f"{latitude:.5f}, {longitude:.5f}"
    place = FollowedPlace.objects.create(user=user, label=label, latitude=latitude, longitude=longitude,
                                         radius=radius)
    audit_record(actor=user, action="follow.place_added", target=place)
    return place


def place_unfollow(*, user, place_id: int) -> bool:
    """USER stops following their place PLACE_ID (someone else's is left alone). False if there is none."""
    place = FollowedPlace.objects.filter(user=user, pk=place_id).first()
    if place is None:
        return False
    audit_record(actor=user, action="follow.place_removed", target=place)
    place.delete()
    return True


def space_published_received(sender, *, space, **kwargs) -> None:
    """The kernel's `spaces.signals.space_published`: the space opens in the feeds of those who follow its
    organisation (connected in participation's AppConfig.ready)."""
    feed_publish(item=space, kind="space.published", title=space.title, summary=space.summary,
                 url=space.get_absolute_url(), organisation=space.organisation, space=space,
                 published_at=space.published_at)


# Topics ---------------------------------------------------------------------------------------------------

def topic_page(*, topic: Topic, cursor: str = "", size: int = PAGE_SIZE) -> FeedPage:
    """What is new in TOPIC across the Métropole, newest first (its public page; nothing is unread there)."""
    after = _cursor_parse(cursor) if cursor else None
    rows = _newest([(ContentType.objects.get_for_model(Topic).pk, topic.pk)], [], section="", after=after, size=size)
    by_id = FeedEntry.objects.select_related("organisation").in_bulk([pk for _, pk in rows[:size]])
    entries = [by_id[pk] for _, pk in rows[:size] if pk in by_id]
    more = len(rows) > size
    next_cursor = f"{rows[size - 1][0].isoformat()}_{rows[size - 1][1]}" if more else ""
    return FeedPage(entries=entries, next_cursor=next_cursor, unread=set())


def topics_followed(*, user) -> set[int]:
    return set(Follow.objects.filter(user=user, target_type=ContentType.objects.get_for_model(Topic))
               .values_list("target_id", flat=True))
