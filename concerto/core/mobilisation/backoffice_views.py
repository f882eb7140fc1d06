"""The agents' pages: a space's concertation plan, one section at a time, and the organisation's actors
directory. Reading asks the back-office's read permission (elected officials read them), changes ask the
permission to manage spaces; actors' contact persons are shown only to those who may see personal data."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import MANAGE, READ, VIEW_PERSONAL_DATA
from concerto.core.forms import form_saved
from concerto.core.mobilisation import members, services
from concerto.core.mobilisation.forms import (
    ActorFilterForm,
    ActorForm,
    ContactForm,
    MemberForm,
    MilestoneForm,
    PlanSectionForm,
    StakeholderForm,
)
from concerto.core.mobilisation.models import Actor, ActorContact, ActorMember, PlanMilestone, PlanStakeholder
from concerto.core.spaces.models import Space

PAGE = 200


def _space(request, space_slug) -> Space:
    return get_object_or_404(Space, organisation=request.organisation, slug=space_slug)


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _refused(request, refusal) -> None:
    messages.error(request, refusal.message)


def _may_manage(request) -> bool:
    """Whether the reader may change plans and actors (elected officials read them only: no form for them)."""
    return request.user.has_perm(MANAGE, request.organisation)


def _shown(form) -> list[tuple[str, str]]:
    """A section's fields as a reader sees them: each label and its value in words."""
    shown = []
    for field in form.visible_fields():
        value = form.initial.get(field.name)
        choices = dict(getattr(field.field, "choices", []) or [])
        if isinstance(value, list):
            value = ", ".join(str(choices.get(item, item)) for item in value)
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")
        elif hasattr(value, "strftime"):
            value = value.strftime("%d/%m/%Y")
        shown.append((field.label, str(value or "—")))
    return shown


@backoffice_view(MANAGE, read=READ)
def plan(request, org_slug, space_slug):
    """The plan's sections, each complete or not, and its publication."""
    space = _space(request, space_slug)
    current = services.plan_of(space)
    states = services.sections_state(current)
    return render(request, "mobilisation/backoffice/plan.html", {
        "space": space, "plan": current, "states": states, "can_manage": _may_manage(request),
        "missing": [section for section, complete in states if not complete],
    })


def _neighbours(section):
    slugs = [item.slug for item in services.SECTIONS]
    index = slugs.index(section.slug)
    return (services.SECTIONS[index - 1] if index else None,
            services.SECTIONS[index + 1] if index + 1 < len(slugs) else None)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE, read=READ)
def plan_section(request, org_slug, space_slug, section_slug):
    """One section of the plan. Its own fields in a form; the actors and the calendar as lists with a form to
    add one row. « Save and continue » goes to the next section."""
    section = services.SECTION_BY_SLUG.get(section_slug)
    if section is None:
        raise Http404
    space = _space(request, space_slug)
    current = services.plan_of(space)
    previous, following = _neighbours(section)
    done = redirect("mobilisation_backoffice:plan_section", org_slug, space_slug, following.slug) if following \
        else redirect("mobilisation_backoffice:plan", org_slug, space_slug)
    form = row_form = None
    if section.fields:
        form = PlanSectionForm(request.POST or None, section=section, plan=current)
        if form_saved(request, form, lambda: services.plan_section_save(
                actor=request.user, plan=current, section=section, values=form.values()),
                done=_("The section is saved.")):
            return done
    else:
        adding = section.slug == "acteurs"
        row_form = (StakeholderForm(request.POST or None, organisation=request.organisation) if adding
                    else MilestoneForm(request.POST or None))
        add = services.stakeholder_add if adding else services.milestone_add
        try:
            if form_saved(request, row_form, lambda: add(actor=request.user, plan=current,
                                                         values=row_form.cleaned_data),
                          done=_("Added to the plan.")):
                return redirect("mobilisation_backoffice:plan_section", org_slug, space_slug, section.slug)
        except services.PlanRefused as refusal:
            row_form.add_error(None, refusal.message)
        form = row_form
    return render(request, "mobilisation/backoffice/plan_section.html", {
        "space": space, "plan": current, "section": section, "form": form, "previous": previous,
        "following": following, "complete": section.complete(current), "can_manage": _may_manage(request),
        "shown": _shown(form) if section.fields else None,
        "stakeholders": current.stakeholders.select_related("actor") if section.slug == "acteurs" else None,
        "milestones": current.milestones.all() if section.slug == "calendrier" else None,
    }, status=_status(form))


@require_POST
@backoffice_view(MANAGE)
def plan_row_remove(request, org_slug, space_slug, section_slug, row_id):
    space = _space(request, space_slug)
    current = services.plan_of(space)
    model = {"acteurs": PlanStakeholder, "calendrier": PlanMilestone}.get(section_slug)
    if model is None:
        raise Http404
    row = get_object_or_404(model, pk=row_id, plan=current)
    try:
        services.plan_row_remove(actor=request.user, plan=current, row=row)
        messages.success(request, _("Removed from the plan."))
    except services.PlanRefused as refusal:
        _refused(request, refusal)
    return redirect("mobilisation_backoffice:plan_section", org_slug, space_slug, section_slug)


@require_POST
@backoffice_view(MANAGE)
def plan_publication(request, org_slug, space_slug, action):
    space = _space(request, space_slug)
    current = services.plan_of(space)
    try:
        if action == "publish":
            services.plan_publish(actor=request.user, plan=current)
            messages.success(request, _("The plan is published: residents read it on the space's page."))
        else:
            services.plan_unpublish(actor=request.user, plan=current)
            messages.success(request, _("The plan is no longer public."))
    except services.PlanRefused as refusal:
        _refused(request, refusal)
    return redirect("mobilisation_backoffice:plan", org_slug, space_slug)


# The actors directory. -----------------------------------------------------------------------------------------

def _actor(request, actor_id) -> Actor:
    return get_object_or_404(Actor, pk=actor_id, organisation=request.organisation)


@backoffice_view(MANAGE, read=READ)
def actors(request, org_slug):
    filters = ActorFilterForm(request.GET or None)
    found = Actor.objects.filter(organisation=request.organisation).prefetch_related("topics")
    if filters.is_valid():
        if filters.cleaned_data["kind"]:
            found = found.filter(kind=filters.cleaned_data["kind"])
        if filters.cleaned_data["qpv"]:
            found = found.filter(priority_area=True)
        if filters.cleaned_data["q"]:
            words = filters.cleaned_data["q"]
            found = found.filter(Q(name__icontains=words) | Q(quartiers__icontains=words))
    return render(request, "mobilisation/backoffice/actors.html", {
        "actors": found[:PAGE], "count": found.count(), "filters": filters,
    }, status=_status(filters))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def actor_create(request, org_slug):
    form = ActorForm(request.POST or None)
    saved = form_saved(request, form, lambda: services.actor_save(
        actor=request.user, organisation=request.organisation, values=form.cleaned_data),
        done=_("The actor is in the directory."))
    if saved:
        return redirect("mobilisation_backoffice:actor", org_slug, saved.result.pk)
    return render(request, "mobilisation/backoffice/actor_form.html", {"form": form, "item": None},
                  status=_status(form))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE, read=READ)
def actor(request, org_slug, actor_id):
    """An actor: its details (a form for those who manage), its contact persons (for those who may see personal
    data) with a form to add one."""
    item = _actor(request, actor_id)
    initial = {name: getattr(item, name) for name in services.ACTOR_FIELDS}
    initial["topics"] = list(item.topics.all())
    form = ActorForm(request.POST if "name" in request.POST else None, initial=initial)
    contact_form = ContactForm(request.POST if "contact" in request.POST else None)
    member_form = MemberForm(request.POST if "member" in request.POST else None, prefix="member")
    if member_form.is_bound and form_saved(request, member_form, lambda: members.member_add(
            actor=request.user, item=item, email=member_form.cleaned_data["email"]),
            done=_("The person is invited: they will confirm from their account page.")):
        return redirect("mobilisation_backoffice:actor", org_slug, item.pk)
    if form_saved(request, form, lambda: services.actor_save(
            actor=request.user, organisation=request.organisation, values=form.cleaned_data, existing=item),
            done=_("The actor is saved.")):
        return redirect("mobilisation_backoffice:actor", org_slug, item.pk)
    may_see_contacts = request.user.has_perm(VIEW_PERSONAL_DATA, request.organisation)
    if contact_form.is_bound:
        if not may_see_contacts:
            raise Http404
        try:
            if form_saved(request, contact_form, lambda: services.contact_add(
                    actor=request.user, item=item, values=contact_form.cleaned_data),
                    done=_("The contact person is added.")):
                return redirect("mobilisation_backoffice:actor", org_slug, item.pk)
        except services.PlanRefused as refusal:
            contact_form.add_error(None, refusal.message)
    return render(request, "mobilisation/backoffice/actor_form.html", {
        "form": form, "item": item, "contact_form": contact_form, "may_see_contacts": may_see_contacts,
        "can_manage": _may_manage(request),
        "contacts": item.contacts.all() if may_see_contacts else None,
        "members": item.members.select_related("user"), "member_form": member_form,
    }, status=max(_status(form), _status(contact_form), _status(member_form)))


@require_POST
@backoffice_view(MANAGE)
def contact_remove(request, org_slug, actor_id, contact_id):
    item = _actor(request, actor_id)
    if not request.user.has_perm(VIEW_PERSONAL_DATA, request.organisation):
        raise Http404
    services.contact_remove(actor=request.user, contact=get_object_or_404(ActorContact, pk=contact_id, actor=item))
    messages.success(request, _("The contact person is removed."))
    return redirect("mobilisation_backoffice:actor", org_slug, item.pk)


@require_POST
@backoffice_view(MANAGE)
def actor_delete(request, org_slug, actor_id):
    item = _actor(request, actor_id)
    services.actor_delete(actor=request.user, item=item)
    messages.success(request, _("The actor is removed from the directory."))
    return redirect("mobilisation_backoffice:actors", org_slug)


@require_POST
@backoffice_view(MANAGE)
def member_remove(request, org_slug, actor_id, member_id):
    item = _actor(request, actor_id)
    members.member_remove(actor=request.user, member=get_object_or_404(ActorMember, pk=member_id, actor=item))
    messages.success(request, _("The member is removed: they can no longer contribute on behalf of this actor."))
    return redirect("mobilisation_backoffice:actor", org_slug, item.pk)
