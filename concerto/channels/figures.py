"""The chat's figures for a commune's agents and elected officials: people reached (by platform, by month),
answers recorded through the chat (ledger rows with the `chatbot` channel) by component and by age band, and
the drop-off of each questionnaire answered in the chat. No message text is read here.

Drop-off reads where each person stands in a questionnaire (`Participant.state["flows"]`, whose component state
keeps the answers given so far, as `answers` and `skipped`) and the chat's finished responses in the ledger:
a person who gave K answers started questions 1 to K + 1 and answered 1 to K; a finished one answered them all.
Questions are counted by their position in the conversation (conditions may skip some).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from concerto.channels.models import Participant, Platform
from concerto.core.charts import Chart
from concerto.core.participation.models import Channel, Contribution
from concerto.core.participation.overview import AGE_BANDS, age_band
from concerto.core.spaces.models import Component

MONTHS = 12


@dataclass
class DropOff:
    title: str
    finished: int
    rows: list[tuple[int, int, int]] = field(default_factory=list)  # (position, started, answered)

    @property
    def chart(self) -> Chart:
        """The answers to each question, drawn as bars (the page's table also gives how many started it)."""
        return Chart(self.title, [(_("Question %(position)s") % {"position": position}, answered)
                                  for position, _started, answered in self.rows])


@dataclass
class Figures:
    people: int = 0
    answers: int = 0
    charts: list[Chart] = field(default_factory=list)
    drop_offs: list[DropOff] = field(default_factory=list)


def _months(today: date) -> list[date]:
    first = today.replace(day=1)
    months = []
    for back in range(MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    return months


def figures_for(*, organisation, today=None) -> Figures:
    today = today or timezone.localdate()
    participants = Participant.objects.filter(organisation=organisation)
    ledger = Contribution.objects.filter(organisation_id__in=organisation.descendant_ids(), channel=Channel.CHATBOT)
    figures = Figures(people=participants.count(), answers=ledger.count())

    platforms = dict(Platform.choices)
    by_platform = participants.values_list("platform").annotate(n=Count("pk")).order_by("-n", "platform")
    figures.charts.append(Chart(
        _("People reached by channel"), [(str(platforms.get(key, key)), n) for key, n in by_platform],
        summary=_("The people who wrote to the commune's assistant, on each platform.")))

    months = _months(today)
    counts = dict(participants.filter(created_at__date__gte=months[0]).annotate(month=TruncMonth("created_at"))
                  .values_list("month").annotate(n=Count("pk")).values_list("month", "n"))
    counts = {(key.date() if hasattr(key, "date") else key): n for key, n in counts.items()}
    figures.charts.append(Chart(
        _("New people by month"), [(date_format(month, "F Y"), counts.get(month, 0)) for month in months],
        kind="columns", summary=_("The people who wrote for the first time, over the last twelve months.")))

    titles = dict(Component.objects.filter(pk__in=ledger.values("component")).values_list("pk", "title"))
    by_component = ledger.exclude(component=None).values_list("component").annotate(n=Count("pk")).order_by("-n")
    figures.charts.append(Chart(
        _("Answers through the chat by component"), [(titles.get(pk, "—"), n) for pk, n in by_component],
        summary=_("Answers, supports and other contributions recorded through the chat.")))

    ages: Counter = Counter()
    for birth_year, n in (ledger.exclude(author__birth_year=None).values_list("author__birth_year")
                          .annotate(n=Count("pk")).order_by()):
        ages[age_band(today.year - birth_year)] += n
    order = [str(label) for _low, _high, label in AGE_BANDS]
    figures.charts.append(Chart(
        _("Answers through the chat by age band"), [(band, ages[band]) for band in order if ages.get(band)],
        summary=_("Only for chats linked to an account that gives a year of birth: %(count)s answers.")
        % {"count": sum(ages.values())}))

    figures.drop_offs = _drop_offs(participants, ledger)
    return figures


def _drop_offs(participants, ledger) -> list[DropOff]:
    progress: dict[int, Counter] = {}
    for state in participants.exclude(state={}).values_list("state", flat=True):
        for item, own in ((state or {}).get("flows") or {}).items():
            _name, _sep, ref = item.partition(":")
            if not ref.isdigit() or not isinstance(own, dict) or not isinstance(own.get("answers"), dict):
                continue
            given = len(own["answers"]) + len(own.get("skipped") or [])
            progress.setdefault(int(ref), Counter())[given] += 1
    finished = dict(ledger.filter(kind__endswith=".response").values_list("component")
                    .annotate(n=Count("pk")).values_list("component", "n"))
    drop_offs = []
    components = Component.objects.filter(pk__in=set(progress) | set(finished)).order_by("pk")
    for component in components:
        stopped = progress.get(component.pk, Counter())
        done = finished.get(component.pk, 0)
        last = max(stopped, default=0) + 1
        rows = []
        for position in range(1, last + 1):
            started = done + sum(n for given, n in stopped.items() if given >= position - 1)
            answered = done + sum(n for given, n in stopped.items() if given >= position)
            rows.append((position, started, answered))
        drop_offs.append(DropOff(component.title, done, rows))
    return drop_offs
