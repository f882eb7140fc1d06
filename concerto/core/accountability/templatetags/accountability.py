"""`{% load accountability %}{% contribution_trail item %}`: what became of ITEM (a proposal, a budget project, a
report...), for a component to show on the item's page: the decisions that answered it and their actions."""

from django import template

from concerto.core.accountability.services import trail_of

register = template.Library()


@register.inclusion_tag("accountability/_trail.html")
def contribution_trail(item, always: bool = False):
    """The trail of ITEM; nothing at all when no decision answered it, unless ALWAYS (then it says so)."""
    links = trail_of(item) if item is not None and getattr(item, "pk", None) else []
    return {"links": links, "show": bool(links) or always}
