"""`{% template_plan template %}`: what a process template brings of a concertation plan and print kits (any
page showing a template includes it; the resource centre knows nothing of plans' labels)."""

from django import template

from concerto.core.mobilisation.skeleton import skeleton_summary

register = template.Library()


@register.inclusion_tag("mobilisation/_template_plan.html")
def template_plan(process_template):
    return {"plan": skeleton_summary(process_template.plan)}
