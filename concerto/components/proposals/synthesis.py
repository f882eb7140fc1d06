"""The proposals' part of a space's synthesis for elected officials (manifest hook `synthesis`): how many, their
supports and answers, the most supported with their status, and the words of the three most supported."""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from concerto.components.proposals.models import Proposal
from concerto.core.synthesis import Figure, Quote, Row, Section, Table, component_link, quoted

TOP = 10


def sections(component) -> list[Section]:
    public = Proposal.objects.public().filter(component=component)
    page = component_link(component, "index")
    counts = public.aggregate(proposals=Count("pk"), supports=Sum("support_count"),
                              waiting=Count("pk", filter=Q(answer_status="")))
    top = list(public.filter(support_count__gt=0).order_by("-support_count", "pk")[:TOP])
    for proposal in top:
        proposal.component = component  # its address, without a query per proposal
    by_support = f"{page}?tri=supports" if page else ""
    return [Section(
        _("Most supported proposals: %(title)s") % {"title": component.title}, component.title, page,
        component_link(component, "proposals_backoffice:export_csv"),
        figures=[Figure(_("Proposals"), counts["proposals"], page),
                 Figure(_("Supports"), counts["supports"] or 0, by_support),
                 Figure(_("Awaiting the commune's answer"), counts["waiting"],
                        component_link(component, "proposals_backoffice:index"))],
        table=Table(_("The %(count)s most supported proposals") % {"count": TOP},
                    [_("Proposal"), _("Supports"), _("Status")],
                    [Row([proposal.title, proposal.support_count, proposal.get_answer_status_display()],
                         proposal.get_absolute_url()) for proposal in top]),
        quotes=[Quote(quoted(proposal.body), proposal.title, proposal.get_absolute_url())
                for proposal in top[:3] if proposal.body.strip()],
        note="" if top else _("No proposal has been supported yet."),
    )]
