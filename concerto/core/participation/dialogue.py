"""The commune's dialogue figures (issue 15): how the organisation keeps in touch with the people who follow it.

Followers over time, digests sent, people reachable by push or by digest, read from the kernel's tables; then what
each component adds through its manifest's `dialogue` hook (quick polls' answers by channel, questions to the
elected officials asked, answered, late, and the median answer time). Figures of an organisation count the
organisations below it, as the participation overview does. Every figure is a `charts.Chart`, so the page draws
it with its table and the CSV holds the same rows.

"Followers" are the people following the organisation itself (or one below it): the follow of a commune, which
brings its news to their feed and digest. A follow is deleted when the person stops following, so the months show
the people who follow today by the month they started.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.core.charts import Chart
from concerto.core.participation.models import DigestSentCount, DigestSubscription, Follow, PushSubscription
from concerto.core.participation.overview import components_charts

MONTHS = 12


@dataclass
class Dialogue:
    followers: int = 0
    push_subscribers: int = 0
    digest_subscribers: int = 0
    digests_sent: int = 0  # over the MONTHS months drawn
    charts: list[Chart] = field(default_factory=list)


def months_back(today: date, count: int = MONTHS) -> list[date]:
    """The first days of the COUNT months ending with TODAY's, oldest first."""
    year, month = today.year, today.month
    firsts = []
    for _i in range(count):
        firsts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return firsts[::-1]


def month_label(day: date) -> str:
    return date_format(day, "F Y")


def _by_month(rows) -> dict[date, int]:
    return {(key.date() if hasattr(key, "date") else key): n for key, n in rows}


def followers_of(organisation_ids):
    from concerto.core.territory.models import Organisation

    return Follow.objects.filter(target_type=ContentType.objects.get_for_model(Organisation),
                                 target_id__in=organisation_ids)


def dialogue_for(*, organisation, today: date | None = None) -> Dialogue:
    """The dialogue figures of ORGANISATION and the organisations below it."""
    from concerto.core.spaces.models import Component

    today = today or timezone.localdate()
    ids = organisation.descendant_ids()
    months = months_back(today)
    start = months[0]
    follows = followers_of(ids)
    follower_ids = follows.values("user")
    dialogue = Dialogue(
        followers=follows.values("user").distinct().count(),
        push_subscribers=PushSubscription.objects.filter(user__in=follower_ids).values("user").distinct().count(),
        digest_subscribers=DigestSubscription.objects.filter(user__in=follower_ids).exclude(
            frequency=DigestSubscription.Frequency.NONE).count())
    period = ngettext("The last %(months)d month, from %(start)s.", "The last %(months)d months, from %(start)s.",
                      MONTHS) % {"months": MONTHS, "start": month_label(start)}

    before = follows.filter(created_at__date__lt=start).count()
    new = _by_month(follows.filter(created_at__date__gte=start).annotate(month=TruncMonth("created_at"))
                    .values_list("month").annotate(n=Count("pk")).values_list("month", "n"))
    rows, running = [], before
    for month in months:
        running += new.get(month, 0)
        rows.append((month_label(month), running))
    dialogue.charts.append(Chart(
        _("Followers at the end of each month"), rows, kind="columns", value_label=_("Followers"),
        summary=_("People who follow the organisation today, counted from the month they started. %(period)s")
        % {"period": period}))

    sent = _by_month(DigestSentCount.objects.filter(organisation_id__in=ids, day__gte=start)
                     .annotate(month=TruncMonth("day")).values_list("month").annotate(n=Sum("count"))
                     .values_list("month", "n"))
    rows = [(month_label(month), sent.get(month, 0)) for month in months]
    dialogue.digests_sent = sum(value for _label, value in rows)
    dialogue.charts.append(Chart(
        _("Email digests sent, by month"), rows, kind="columns", value_label=_("Digests"),
        summary=_("Digests that carried news of the organisation. %(period)s") % {"period": period}))

    dialogue.charts.append(Chart(
        _("How followers are told"),
        [(_("Followers"), dialogue.followers), (_("With push notifications on a device"), dialogue.push_subscribers),
         (_("With an email digest"), dialogue.digest_subscribers)],
        value_label=_("People"),
        summary=_("Followers who turned on push notifications on at least one device, or chose a daily or weekly "
                  "digest.")))

    dialogue.charts.extend(components_charts(Component.objects.filter(space__organisation_id__in=ids), "dialogue"))
    return dialogue
