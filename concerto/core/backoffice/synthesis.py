"""A space's synthesis for elected officials (issue 17): who took part, what each component gathered (its manifest's
`synthesis` hook: opinion groups, most supported proposals, open questions, responses, votes...) and what was
decided, every figure linked to the page or CSV it was read from.

The kernel's own sections come from two lists of functions(space) -> list of core.synthesis.Section:
LEADING_SECTIONS before the components' (who took part; the themes of the space's free texts belong here) and
CLOSING_SECTIONS after them (decisions and actions). The figures are read, never recounted: the participation
overview (`participation/overview.py`) and the accountability figures (`accountability/figures.py`).
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from concerto.core import registry
from concerto.core.accountability.figures import figures_compute
from concerto.core.accountability.models import Action, Decision
from concerto.core.participation.overview import overview_for
from concerto.core.synthesis import Figure, Quote, Row, Section, Table, quoted
from concerto.core.texts.themes import themes_summary


def _chart_table(chart, url: str, *, extra: list[tuple[str, int]] = ()) -> Table:
    return Table(chart.title, [_("Item"), _("Contributions")],
                 [Row([label, value], url) for label, value in [*chart.rows, *extra]])


def who_took_part(space) -> list[Section]:
    """The participation overview of SPACE (its contributions ledger): totals, channels, communes of residence and
    age bands, with the contributions whose commune or age was not given counted as such."""
    overview = overview_for(organisation=space.organisation, space=space)
    page = reverse("backoffice:space_overview", args=[space.organisation.slug, space.slug])
    csv = reverse("backoffice:space_overview_csv", args=[space.organisation.slug, space.slug])
    source = _("Participation overview")

    def anchor(chart):
        return f"{page}#chart-{overview.charts.index(chart)}-title"

    age_unknown = overview.total - overview.by_age.total
    return [
        Section(_("Who took part"), source, page, csv, figures=[
            Figure(_("Contributions"), overview.total, page),
            Figure(_("People with an account"), overview.people, page),
        ], table=_chart_table(overview.by_channel, anchor(overview.by_channel)),
            note=_("A contribution is anything a person put in the space (a proposal, a support, a vote, an answer, "
                   "a comment), whatever the channel.")),
        Section(overview.by_commune.title, source, anchor(overview.by_commune), csv,
                table=_chart_table(overview.by_commune, anchor(overview.by_commune))),
        Section(overview.by_age.title, source, anchor(overview.by_age), csv,
                table=_chart_table(overview.by_age, anchor(overview.by_age),
                                   extra=[(_("Not given"), age_unknown)] if age_unknown else [])),
    ]


def decisions_taken(space) -> list[Section]:
    """The decisions of SPACE (not archived) with the contributions each answers and their actions, and the
    accountability figures of the space."""
    organisation = space.organisation
    figures = figures_compute(organisation=organisation, space=space)
    listing = reverse("accountability_backoffice:decisions", args=[organisation.slug]) + f"?espace={space.slug}"
    figures_page = reverse("accountability_backoffice:figures", args=[organisation.slug])
    decisions = (Decision.objects.filter(space=space, archived_at__isnull=True)
                 .annotate(answered=Count("links", distinct=True), action_count=Count("actions", distinct=True),
                           done=Count("actions", filter=Q(actions__stage=Action.Stage.DONE), distinct=True))
                 .order_by("-decided_on", "-pk"))
    rows = [Row([decision.title, date_format(decision.decided_on, "j F Y"), decision.get_body_display(),
                 decision.answered, decision.action_count, decision.done],
                reverse("accountability_backoffice:decision", args=[organisation.slug, decision.pk]))
            for decision in decisions[:20]]
    return [Section(_("Decisions taken"), _("Decisions and actions"), listing, reverse(
        "accountability_backoffice:figures_csv", args=[organisation.slug]), figures=[
        Figure(_("Decisions"), decisions.count(), listing),
        Figure(_("Contributions a decision may answer"), figures.contributions, figures_page),
        Figure(_("Contributions answered by a public decision"), figures.answered, figures_page),
        Figure(_("Actions"), figures.actions, figures_page),
        Figure(_("Actions late"), figures.late, figures_page),
    ], table=Table(_("Decisions of the space"), [_("Decision"), _("Date"), _("Decided by"),
                                                 _("Contributions answered"), _("Actions"), _("Done")], rows)
        if rows else None,
        note="" if rows else _("No decision recorded for this space yet."))]


def themes_of_texts(space) -> list[Section]:
    """The themes of what people wrote in SPACE (core/texts), largest first, each with its number of texts, and
    one quoted example of each of the five largest; nothing before the themes are first computed."""
    themes = themes_summary(space)
    if not themes:
        return []
    page = reverse("backoffice:themes", args=[space.organisation.slug, space.slug])
    return [Section(
        _("Themes of what people wrote"), _("Themes of the free texts"), page,
        table=Table(_("Themes, largest first"), [_("Theme"), _("Texts")],
                    [Row([theme["label"], theme["size"]], page) for theme in themes]),
        quotes=[Quote(quoted(example["text"]), theme["label"], example["url"])
                for theme in themes[:5] for example in theme["examples"][:1]],
        note=_("A theme gathers texts that share their words, found by the computer and named or corrected by the "
               "agents; each text is in one theme."))]


# The kernel's sections, before and after the components' own.
LEADING_SECTIONS = [who_took_part, themes_of_texts]
CLOSING_SECTIONS = [decisions_taken]


def component_sections(space) -> list[Section]:
    """What each published or draft component of SPACE says through its manifest's `synthesis` hook, in the order
    of the space's components."""
    sections = []
    for component in space.components.all().select_related("space__organisation"):
        try:
            hook = registry.get(component.kind).synthesis
        except LookupError:
            continue
        if hook is not None:
            sections += hook(component)
    return sections


def synthesis_for(space) -> list[Section]:
    sections = []
    for function in LEADING_SECTIONS:
        sections += function(space)
    sections += component_sections(space)
    for function in CLOSING_SECTIONS:
        sections += function(space)
    return sections
