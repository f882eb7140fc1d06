"""A space's synthesis for elected officials (backoffice/synthesis.py): the page, and its print version (A4, no
menus, the date and the source of every figure), which is the report: browsers print it to PDF. Agents and elected
officials read both (`spaces.read_space`)."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import MANAGE, READ, may_open
from concerto.core.backoffice.synthesis import synthesis_for
from concerto.core.spaces.lookup import space_for


def _openable(user, sections) -> list:
    """SECTIONS with the links their reader may not open taken off (their figures stay, unlinked): nobody is shown
    a link that refuses them."""
    verdicts: dict[str, bool] = {}

    def keep(url: str) -> str:
        if url and url not in verdicts:
            verdicts[url] = may_open(user, url.split("#", 1)[0])
        return url if url and verdicts[url] else ""

    for section in sections:
        section.url, section.csv = keep(section.url), keep(section.csv)
        for item in [*section.figures, *section.quotes, *(section.table.rows if section.table else ())]:
            item.url = keep(item.url)
    return sections


def _render(request, space_slug, template):
    space = space_for(request, space_slug)
    return render(request, template, {
        "organisation": request.organisation, "space": space,
        "sections": _openable(request.user, synthesis_for(space)), "now": timezone.localtime(),
        "origin": request.build_absolute_uri("/").rstrip("/"),
    })


@require_safe
@backoffice_view(MANAGE, read=READ)
def space_synthesis(request, org_slug, space_slug):
    return _render(request, space_slug, "backoffice/synthesis.html")


@require_safe
@backoffice_view(MANAGE, read=READ)
def space_synthesis_print(request, org_slug, space_slug):
    return _render(request, space_slug, "backoffice/synthesis_print.html")
