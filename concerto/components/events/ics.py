"""iCalendar (RFC 5545) documents of events, written by hand: a handful of properties is all calendar
applications need. Times are in UTC (no VTIMEZONE to ship), text is escaped, lines are folded at 75 octets,
and the UID of an event never changes, so that an updated feed updates the entry instead of adding one.
"""

from datetime import UTC

from django.conf import settings
from django.utils import timezone

from concerto.core.richtext import plain_text

PRODID = "-//Concerto//Events//FR"


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks."""
    value = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    # Other control characters are not allowed in a content line.
    return "".join(ch for ch in value if ch == "\t" or ord(ch) >= 32 and ord(ch) != 127)


def fold(line: str) -> str:
    """LINE folded into chunks of at most 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode())
        limit = 75 if not parts else 74  # continuation lines start with a space
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += ch
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_uid(event) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "concerto"
    return f"event-{event.pk}@{host}"


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def event_lines(event, *, online_url: bool = False, stamp=None) -> list[str]:
    """The VEVENT of EVENT; the online link only when ONLINE_URL (the reader is registered)."""
    stamp = stamp or timezone.now()
    url = _absolute(event.get_absolute_url())
    description = plain_text(event.description)
    if online_url and event.online_url:
        description = f"{description}\n\n{event.online_url}".strip()
    location = ", ".join(part for part in (event.place_name, event.address) if part)
    if not location and event.format == "online":
        location = event.online_url if online_url else ""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event_uid(event)}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(event.starts_at)}",
        f"DTEND:{utc(event.ends_at)}",
        f"LAST-MODIFIED:{utc(event.updated_at)}" if event.updated_at else None,
        f"SUMMARY:{escape_text(event.title)}",
        f"DESCRIPTION:{escape_text(description)}" if description else None,
        f"LOCATION:{escape_text(location)}" if location else None,
        f"GEO:{event.latitude:.6f};{event.longitude:.6f}" if event.latitude is not None else None,
        f"URL:{escape_text(url)}",
        "STATUS:CANCELLED" if event.cancelled_at else "STATUS:CONFIRMED",
        "END:VEVENT",
    ]
    return [line for line in lines if line]


def calendar(events, *, name: str = "", online_url_for=frozenset(), method: str = "") -> bytes:
    """A VCALENDAR of EVENTS; ONLINE_URL_FOR holds the ids of events whose online link may be shown."""
    stamp = timezone.now()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines.extend(event_lines(event, online_url=event.pk in online_url_for, stamp=stamp))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()
