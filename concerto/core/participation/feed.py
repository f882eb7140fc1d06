"""A person's feed: what is new in what they follow (a commune, a territory, a space, a topic, an item).

Components write one entry when they publish something (`feed_publish`, in the same transaction as the
publication) and withdraw it when it goes back to draft (`feed_withdraw`). The entry belongs to the item itself,
its space, its organisation and that organisation's ancestors (the territory, the Métropole), and to any other
followed thing the component names (topics). Reading a feed takes, for each thing the person follows, the newest
rows of one index range and merges them: a few small queries, however many entries the database holds.
"""

import heapq
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from concerto.core import registry
from concerto.core.audit.services import audit_record
from concerto.core.maps import degrees_around, haversine_m
from concerto.core.participation.models import FeedEntry, FeedEntryTarget, FeedReader, Follow, FollowedPlace

PAGE_SIZE = 20


@transaction.atomic
def feed_publish(*, item, kind: str, title: str, url: str, organisation, space=None, summary: str = "",
                 targets=(), published_at: datetime | None = None, point=None) -> FeedEntry:
    """Record that ITEM (of ORGANISATION, in SPACE) was published as KIND. Publishing again updates the texts and
    the place, and keeps the first date. TARGETS are further things it belongs to (topics...); POINT, a
    (latitude, longitude), is where it happens, for the people who follow the places around."""
    source_type = ContentType.objects.get_for_model(item)
    latitude, longitude = point if point is not None else (None, None)
    entry, created = FeedEntry.objects.get_or_create(
        kind=kind, source_type=source_type, source_id=item.pk,
        defaults={"title": title[:300], "summary": summary, "url": url[:500], "organisation": organisation,
                  "space": space, "published_at": published_at or timezone.now(), "latitude": latitude,
                  "longitude": longitude})
    if not created:
        entry.title, entry.summary, entry.url = title[:300], summary, url[:500]
        entry.latitude, entry.longitude = latitude, longitude
        entry.save(update_fields=["title", "summary", "url", "latitude", "longitude"])
    wanted = {(source_type.pk, item.pk)}
    for target in (space, organisation, *organisation.ancestors(), *targets):
        if target is not None:
            wanted.add((ContentType.objects.get_for_model(target).pk, target.pk))
    existing = set(entry.targets.values_list("target_type_id", "target_id"))
    FeedEntryTarget.objects.bulk_create(
        [FeedEntryTarget(entry=entry, target_type_id=type_id, target_id=target_id, published_at=entry.published_at)
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
            *((manifest.name, str(manifest.label)) for manifest in registry.components())]


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
    after = _cursor_parse(cursor) if cursor else None
    rows = FeedEntryTarget.objects.filter(Q(entry__space__isnull=True) | ~Q(entry__space__status="draft"))
    if section:
        rows = rows.filter(entry__kind__startswith=f"{section}.")
    if after is not None:
        rows = rows.filter(Q(published_at__lt=after[0]) | Q(published_at=after[0], entry_id__lt=after[1]))
    streams = []
    for type_id, target_id in follows:
        streams.append(list(rows.filter(target_type_id=type_id, target_id=target_id)
                            .order_by("-published_at", "-entry_id").values_list("published_at", "entry_id")[:size + 1]))
    for place in FollowedPlace.objects.filter(user=user):
        streams.append(_around(place, section=section, after=after, size=size))
    newest, seen = [], set()
    for published_at, entry_id in heapq.merge(*streams, reverse=True):
        if entry_id not in seen:
            seen.add(entry_id)
            newest.append((published_at, entry_id))
        if len(newest) > size:
            break
    more = len(newest) > size
    newest = newest[:size]
    by_id = FeedEntry.objects.select_related("organisation").in_bulk([pk for _, pk in newest])
    entries = [by_id[pk] for _, pk in newest if pk in by_id]
    reader = FeedReader.objects.filter(user=user).only("seen_at").first()
    seen_at = reader.seen_at if reader else None
    unread = {entry.pk for entry in entries if seen_at is None or entry.published_at > seen_at}
    next_cursor = f"{newest[-1][0].isoformat()}_{newest[-1][1]}" if more and newest else ""
    return FeedPage(entries=entries, next_cursor=next_cursor, unread=unread)


def _around(place: FollowedPlace, *, section: str, after, size: int) -> list[tuple[datetime, int]]:
    """The newest entries within PLACE's radius: a box on the point index, then the exact distance."""
    dlat, dlon = degrees_around(place.latitude, place.radius)
    rows = FeedEntry.objects.filter(
        Q(space__isnull=True) | ~Q(space__status="draft"),
        latitude__gte=place.latitude - dlat, latitude__lte=place.latitude + dlat,
        longitude__gte=place.longitude - dlon, longitude__lte=place.longitude + dlon)
    if section:
        rows = rows.filter(kind__startswith=f"{section}.")
    if after is not None:
        rows = rows.filter(Q(published_at__lt=after[0]) | Q(published_at=after[0], pk__lt=after[1]))
    found = []
    # The box's corners lie outside the circle: read a few more than needed, in pages, until SIZE + 1 are in.
    for published_at, pk, latitude, longitude in rows.order_by("-published_at", "-pk").values_list(
            "published_at", "pk", "latitude", "longitude").iterator(chunk_size=4 * (size + 1)):
        if haversine_m(place.latitude, place.longitude, latitude, longitude) <= place.radius:
            found.append((published_at, pk))
            if len(found) > size:
                break
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
