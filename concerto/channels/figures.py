"""The chat's figures for a commune's agents and elected officials: people reached (by platform, by month, by
platform and age band), answers recorded through the chat (ledger rows with the `chatbot` channel) by component and
by age band, the answers of each questionnaire by channel, and the drop-off of each questionnaire answered in the
chat, question by question. No message text is read here.

Age bands come from the year of birth of the account a chat is linked to (the kernel keeps no other declared age);
a chat not linked, or an account without a year of birth, is "not given".

Drop-off reads where each person stands in a questionnaire (`Participant.state["flows"]`, whose component state
keeps the answers given so far, as `answers` and `skipped`), the chat's finished responses in the ledger, and the
component's questions (`Conversation.questions`: their titles in order and how many finished chat responses answer
each). A person in progress reached the questions they answered or skipped and the first one left; a person who
finished reached every question. A component without that hook is shown by position ("Question 2").
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
from concerto.core import registry
from concerto.core.charts import Chart
from concerto.core.participation.models import Channel, Contribution
from concerto.core.participation.overview import AGE_BANDS, age_band
from concerto.core.spaces.models import Component

MONTHS = 12


@dataclass
class DropOff:
    title: str
    finished: int
    rows: list[tuple[str, int, int]] = field(default_factory=list)  # (question's title, reached, answered)

    @property
    def chart(self) -> Chart:
        """The answers to each question, drawn as bars (the page's table also gives how many reached it)."""
        return Chart(self.title, [(label, answered) for label, _reached, answered in self.rows])


@dataclass
class Table:
    """A two-way table (rows × columns of counts), shown as an HTML table and written to the CSV."""

    caption: str
    columns: list[str]
    rows: list[tuple[str, list[int]]] = field(default_factory=list)
    summary: str = ""


@dataclass
class Figures:
    people: int = 0
    answers: int = 0
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    drop_offs: list[DropOff] = field(default_factory=list)

    def csv_rows(self):
        """Every figure of the page as (figure, item, detail, value) rows."""
        for chart in self.charts:
            for label, value in chart.rows:
                yield [chart.title, label, "", value]
        for table in self.tables:
            for label, values in table.rows:
                for column, value in zip(table.columns, values, strict=True):
                    yield [table.caption, label, column, value]
        for drop in self.drop_offs:
            title = _("Drop-off: %(title)s") % {"title": drop.title}
            for label, reached, answered in drop.rows:
                yield [title, label, _("Reached"), reached]
                yield [title, label, _("Answered"), answered]


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

    figures.tables = [_people_by_age(participants, today), _answers_by_channel(organisation)]
    figures.drop_offs = _drop_offs(participants, ledger)
    return figures


def _band_order() -> list[str]:
    return [str(label) for _low, _high, label in AGE_BANDS] + [_("not given")]


def _people_by_age(participants, today) -> Table:
    platforms = dict(Platform.choices)
    counts: dict[str, Counter] = {}
    for platform, birth_year, n in (participants.values_list("platform", "user__birth_year")
                                    .annotate(n=Count("pk")).order_by()):
        band = age_band(today.year - birth_year) if birth_year else ""
        counts.setdefault(platform, Counter())[band or _("not given")] += n
    bands = [band for band in _band_order() if any(counter.get(band) for counter in counts.values())]
    rows = [(str(platforms.get(platform, platform)), [counter.get(band, 0) for band in bands]
             + [sum(counter.values())]) for platform, counter in sorted(counts.items(), key=lambda item: item[0])]
    return Table(_("People reached by platform and age band"), bands + [_("Total")], rows,
                 summary=_("The age band comes from the year of birth of the account a chat is linked to; "
                           "otherwise it is not given."))


def _questionnaires(organisation):
    """The organisation's components whose conversation asks questions (questionnaires), in order."""
    kinds = [manifest.name for manifest in registry.components()
             if manifest.conversation is not None and manifest.conversation.questions is not None]
    return (Component.objects.filter(kind__in=kinds, space__organisation_id__in=organisation.descendant_ids())
            .order_by("pk"))


def _answers_by_channel(organisation) -> Table:
    components = list(_questionnaires(organisation))
    counts: dict[int, Counter] = {component.pk: Counter() for component in components}
    for component_id, channel, n in (Contribution.objects.filter(component__in=components)
                                     .values_list("component", "channel").annotate(n=Count("pk")).order_by()):
        counts[component_id][channel] += n
    channels = [(value, str(label)) for value, label in Channel.choices
                if any(counter.get(value) for counter in counts.values())]
    rows = [(component.title, [counts[component.pk].get(value, 0) for value, _label in channels]
             + [sum(counts[component.pk].values())]) for component in components if counts[component.pk]]
    return Table(_("Answers to each questionnaire by channel"), [label for _value, label in channels]
                 + [_("Total")], rows,
                 summary=_("Every answer of the questionnaires that the chat offers, from the website, the chat, "
                           "paper or a meeting."))


def _drop_offs(participants, ledger) -> list[DropOff]:
    progress: dict[int, list[dict]] = {}
    for state in participants.exclude(state={}).values_list("state", flat=True):
        for item, own in ((state or {}).get("flows") or {}).items():
            _name, _sep, ref = item.partition(":")
            if not ref.isdigit() or not isinstance(own, dict) or not isinstance(own.get("answers"), dict):
                continue
            progress.setdefault(int(ref), []).append(own)
    finished = dict(ledger.filter(kind__endswith=".response").values_list("component")
                    .annotate(n=Count("pk")).values_list("component", "n"))
    drop_offs = []
    components = Component.objects.filter(pk__in=set(progress) | set(finished)).order_by("pk")
    for component in components:
        states, done = progress.get(component.pk, []), finished.get(component.pk, 0)
        questions = _questions(component)
        rows = _rows_by_title(questions, states, done) if questions else _rows_by_position(states, done)
        drop_offs.append(DropOff(component.title, done, rows))
    return drop_offs


def _questions(component) -> list[tuple[str, str, int]]:
    try:
        conversation = registry.get(component.kind).conversation
    except LookupError:
        return []
    if conversation is None or conversation.questions is None:
        return []
    return list(conversation.questions(str(component.pk)))


def _rows_by_title(questions, states: list[dict], done: int) -> list[tuple[str, int, int]]:
    """(title, reached, answered) of each question: people in progress reached what they answered or skipped
    and the first question left; those who finished reached them all."""
    keys = [key for key, _title, _answered in questions]
    reached, answered = Counter(), Counter()
    for own in states:
        given = {str(key) for key in own["answers"]}
        passed = given | {str(key) for key in own.get("skipped") or []}
        current = next((key for key in keys if key not in passed), None)
        for key in passed | ({current} if current else set()):
            reached[key] += 1
        for key in given:
            answered[key] += 1
    return [(title, done + reached[key], finished_answers + answered[key])
            for key, title, finished_answers in questions]


def _rows_by_position(states: list[dict], done: int) -> list[tuple[str, int, int]]:
    """Without the component's questions: a person who gave K answers started questions 1 to K + 1."""
    stopped = Counter(len(own["answers"]) + len(own.get("skipped") or []) for own in states)
    rows = []
    for position in range(1, max(stopped, default=0) + 2):
        started = done + sum(n for given, n in stopped.items() if given >= position - 1)
        answered = done + sum(n for given, n in stopped.items() if given >= position)
        rows.append((_("Question %(position)s") % {"position": position}, started, answered))
    return rows
