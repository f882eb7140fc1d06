"""What a space has open today, for its card: « Vote ouvert jusqu'au 15 mai », not the space's end date.

Each component says in its manifest how it takes people's input (registry.InputWindow); a space is open to
participation when one of its published components has such a window open today."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from concerto.core.spaces.models import Component, Space, Step


@dataclass(frozen=True)
class Opening:
    text: str
    closes_on: date | None = None


def _date(day: date, today: date) -> str:
    return date_format(day, "j F" if day.year == today.year else "j F Y")


def space_openings(space: Space, today: date | None = None) -> list[Opening]:
    """What SPACE's published components take today, the soonest to close first."""
    today = today or timezone.localdate()
    openings = []
    for component in space.components.all():
        if not component.published:
            continue
        try:
            manifest = component.manifest
        except LookupError:
            continue
        for window in manifest.input_windows:
            if not window.setting:
                openings.append(Opening(str(window.open)))
                break
            state = component.window(window.setting, today=today)
            if state.open:
                text = (str(window.until) % {"date": _date(state.closes_on, today)} if state.closes_on
                        else str(window.open))
                openings.append(Opening(text, state.closes_on))
                break
    return sorted(openings, key=lambda opening: (opening.closes_on is None, opening.closes_on or today))


def space_headline(space: Space, today: date | None = None) -> str:
    """The card's line about now: what is open and until when, else the current or next step, else the end."""
    today = today or timezone.localdate()
    openings = space_openings(space, today)
    if openings:
        return openings[0].text
    steps = list(space.steps.all())
    current = next((step for step in steps if step.start_date <= today <= step.end_date), None)
    if current is not None:
        return _("%(step)s until %(date)s") % {"step": current.title, "date": _date(current.end_date, today)}
    upcoming = sorted((step for step in steps if step.start_date > today), key=lambda step: step.start_date)
    if upcoming:
        return _("Next: %(step)s from %(date)s") % {"step": upcoming[0].title,
                                                     "date": _date(upcoming[0].start_date, today)}
    end = space.end_date or max((step.end_date for step in steps), default=None)
    if end is not None and end < today:
        return _("Ended on %(date)s") % {"date": date_format(end, "j F Y")}
    return ""


def with_headlines(spaces, today: date | None = None) -> list[Space]:
    """SPACES (a list or a queryset), each with `headline` set for its card."""
    spaces = list(spaces)
    for space in spaces:
        space.headline = space_headline(space, today)
    return spaces


def open_spaces(spaces, *, limit: int, today: date | None = None) -> list[Space]:
    """The first LIMIT of SPACES (a queryset of published spaces, in the order wanted) where something is open
    today, each with `headline` set. Spaces without a step under way are left out in the query, except those
    without steps at all."""
    today = today or timezone.localdate()
    under_way = Step.objects.filter(space=OuterRef("pk"), start_date__lte=today, end_date__gte=today)
    any_step = Step.objects.filter(space=OuterRef("pk"))
    published = Component.objects.filter(space=OuterRef("pk"), published=True)
    candidates = (spaces.filter(Exists(published)).filter(Q(Exists(under_way)) | ~Q(Exists(any_step)))
                  .prefetch_related("steps", "components"))
    chosen = []
    for space in candidates[:limit * 5]:
        openings = space_openings(space, today)
        if openings:
            space.headline = openings[0].text
            chosen.append(space)
            if len(chosen) == limit:
                break
    return chosen


def spaces_covering(commune):
    """The published spaces of the organisations above COMMUNE that concern it: their scope is empty (the
    whole organisation), names COMMUNE, or names their own organisation."""
    from django.db.models import F

    ancestors = [organisation.pk for organisation in commune.ancestors()]
    scoped = Space.scope.through.objects.filter(space_id=OuterRef("pk"))
    return (Space.objects.published().filter(organisation_id__in=ancestors)
            .filter(~Q(Exists(scoped)) | Q(Exists(scoped.filter(organisation_id=commune.pk)))
                    | Q(Exists(scoped.filter(organisation_id=F("space__organisation_id")))))
            .select_related("organisation"))
