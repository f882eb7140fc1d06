"""The back-office of a collectivité: its spaces, steps, components, team, settings and audit log.

Every view starts from `request.organisation` (from the URL). Reading needs a role on the organisation
("backoffice.view_organisation"); each change needs its own permission, checked again on POST, so an
elected official or an evaluator can look at everything and change nothing.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from concerto.core import registry
from concerto.core.accounts import enrolment
from concerto.core.accounts.decorators import backoffice_home_view, backoffice_view
from concerto.core.accounts.models import Role, RoleEnrolment
from concerto.core.accounts.permissions import may_open
from concerto.core.audit.models import AuditEntry
from concerto.core.backoffice import services as backoffice_services
from concerto.core.backoffice.audit_labels import action_label
from concerto.core.backoffice.forms import DeskEnrolmentForm, OrganisationSettingsForm, RoleGrantForm
from concerto.core.forms import form_saved
from concerto.core.french import collation_key, sort_by_name
from concerto.core.spaces import services
from concerto.core.spaces.forms import ComponentAddForm, ComponentSettingsForm, SpaceForm, StepForm
from concerto.core.spaces.lookup import item_for, require, space_for
from concerto.core.spaces.models import Component, Space, Step
from concerto.core.territory.models import Organisation

MANAGE = "spaces.manage_space"
STATUS_ORDER = {Space.Status.DRAFT: 0, Space.Status.PUBLISHED: 1, Space.Status.ARCHIVED: 2}


# Helpers -------------------------------------------------------------------------------------------

def location_checks_available() -> bool:
    # Imported here: the lookup loads numpy and shapely, which only this page of the back-office needs.
    from concerto.core.territory.lookup import is_available

    return is_available()


def _require(request, permission: str) -> None:
    require(request, permission, request.organisation, _("Your role in this organisation does not allow this change."))


def _uploaded(value):
    """What a service expects for an image field: a new file, False to remove it, None to keep it."""
    if isinstance(value, UploadedFile):
        return value
    return False if value is False else None


def _backoffice_url(component, user=None) -> str:
    """The component's back-office home, or "" when it has none or USER may not open it."""
    try:
        url = component.get_backoffice_url()
    except (NoReverseMatch, LookupError):
        return ""
    return url if user is None or may_open(user, url) else ""


def _form_page(request, form, *, title: str, submit: str, back_url: str, intro: str = "",
               multipart: bool = False, status: int = 200):
    return render(request, "backoffice/form_page.html", {
        "form": form, "title": title, "submit": submit, "back_url": back_url, "intro": intro,
        "multipart": multipart,
    }, status=status)


# Dashboard and organisation ------------------------------------------------------------------------

@backoffice_home_view
@require_safe
def dashboard(request):
    roles = (Role.objects.active().filter(user=request.user).select_related("organisation")
             .order_by("organisation__name"))
    organisations: dict[int, dict] = {}
    for role in roles:
        entry = organisations.setdefault(role.organisation_id, {
            "organisation": role.organisation, "roles": [], "counts": {},
        })
        entry["roles"].append(role.get_kind_display())
    counts = (Space.objects.filter(organisation_id__in=organisations).values("organisation_id", "status")
              .annotate(total=Count("pk")))
    for row in counts:
        organisations[row["organisation_id"]]["counts"][row["status"]] = row["total"]
    for entry in organisations.values():
        entry["statuses"] = [(value, label, entry["counts"].get(value, 0))
                             for value, label in Space.Status.choices]

    below_ids: set[int] = set()
    for entry in organisations.values():
        if not entry["organisation"].is_commune:
            below_ids |= entry["organisation"].descendant_ids()
    below_ids -= set(organisations)
    query = request.GET.get("q", "").strip()[:100]
    below = Organisation.objects.filter(pk__in=below_ids)
    # Territories first, then communes, in alphabetical order whatever their accents.
    below = below.search(query) if query else sorted(below, key=lambda o: (o.is_commune, collation_key(o.name)))
    return render(request, "backoffice/dashboard.html", {
        "organisations": list(organisations.values()),
        "below": below,
        "has_below": bool(below_ids),
        "query": query,
        "location_checks": location_checks_available(),
    })


@backoffice_view()
@require_safe
def organisation(request, org_slug):
    org = request.organisation
    spaces = sorted(Space.objects.filter(organisation=org),
                    key=lambda s: (STATUS_ORDER.get(s.status, 9), s.title.lower()))
    return render(request, "backoffice/organisation.html", {
        "organisation": org,
        "spaces": spaces,
        "children": sort_by_name(org.children.all()),
        "can_manage": request.user.has_perm(MANAGE, org),
        "can_admin": request.user.has_perm("accounts.manage_roles", org),
    })


# Spaces --------------------------------------------------------------------------------------------

def _space_fields(form, *, new: bool = False) -> dict:
    data = form.cleaned_data
    image = _uploaded(data.get("image"))
    return {
        "title": data["title"], "slug": data["slug"] or None, "summary": data["summary"],
        "description": data["description"],
        "image": (image or None) if new else image,  # a new space has no image to remove
        "image_alt": data["image_alt"], "start_date": data["start_date"], "end_date": data["end_date"],
        "scope": list(data["scope"]), "topics": list(data["topics"]),
    }


@backoffice_view(MANAGE)
def space_create(request, org_slug):
    draft = Space(organisation=request.organisation)
    form = SpaceForm(request.POST or None, request.FILES or None, space=draft)
    saved = form_saved(
        request, form, lambda: services.space_create(actor=request.user, organisation=request.organisation,
                                                     **_space_fields(form, new=True)),
        done=lambda space: _("The space “%(title)s” is created. It stays a draft until you "
                             "publish it.") % {"title": space.title})
    if saved:
        return redirect("backoffice:space", org_slug, saved.result.slug)
    return _form_page(request, form, title=_("Create a space"), submit=_("Create the space"),
                      back_url=reverse("backoffice:organisation", args=[org_slug]), multipart=True,
                      status=400 if form.errors else 200)


@backoffice_view()
@require_safe
def space(request, org_slug, space_slug):
    space = space_for(request, space_slug)
    components = []
    for component in space.components.all():
        try:
            label = component.manifest.label
        except LookupError:
            label = component.kind
        components.append({"component": component, "label": label,
                           "backoffice_url": _backoffice_url(component, request.user)})
    return render(request, "backoffice/space.html", {
        "organisation": request.organisation,
        "space": space,
        "steps": space.steps.all(),
        "components": components,
        "scope": space.scope.all(),
        "topics": space.topics.all(),
        "publish_problems": space.publish_problems(),
        "can_manage": request.user.has_perm(MANAGE, request.organisation),
    })


@backoffice_view(MANAGE)
def space_edit(request, org_slug, space_slug):
    space = space_for(request, space_slug)
    form = SpaceForm(request.POST or None, request.FILES or None, space=space,
                     initial=SpaceForm.initial_for(space))
    if form_saved(request, form, lambda: services.space_update(actor=request.user, space=space,
                                                               **_space_fields(form)),
                  done=_("Your changes are saved.")):
        return redirect("backoffice:space", org_slug, space.slug)
    return _form_page(request, form, title=_("Edit the space “%(title)s”") % {"title": space.title},
                      submit=_("Save the changes"),
                      back_url=reverse("backoffice:space", args=[org_slug, space_slug]), multipart=True,
                      status=400 if form.errors else 200)


SPACE_ACTIONS = {
    "publish": (services.space_publish, gettext_lazy("The space is published: residents can see it.")),
    "unpublish": (services.space_unpublish,
                  gettext_lazy("The space is back to draft: only your team sees it.")),
    "archive": (services.space_archive, gettext_lazy("The space is archived.")),
}


@backoffice_view(MANAGE)
@require_POST
def space_status(request, org_slug, space_slug, action):
    space = space_for(request, space_slug)
    service, done = SPACE_ACTIONS[action]
    try:
        service(actor=request.user, space=space)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("backoffice:space", org_slug, space.slug)


# Steps ---------------------------------------------------------------------------------------------

@backoffice_view(MANAGE)
def step_create(request, org_slug, space_slug):
    space = space_for(request, space_slug)
    form = StepForm(request.POST or None)
    if form_saved(request, form, lambda: services.step_create(actor=request.user, space=space, **form.cleaned_data),
                  done=_("The step is added.")):
        return redirect("backoffice:space", org_slug, space.slug)
    return _form_page(request, form, title=_("Add a step to “%(title)s”") % {"title": space.title},
                      submit=_("Add the step"),
                      back_url=reverse("backoffice:space", args=[org_slug, space_slug]),
                      status=400 if form.errors else 200)


@backoffice_view(MANAGE)
def step_edit(request, org_slug, space_slug, step_id):
    space = space_for(request, space_slug)
    step = item_for(space, Step, step_id, field="space")
    form = StepForm(request.POST or None, initial=StepForm.initial_for(step))
    if form_saved(request, form, lambda: services.step_update(actor=request.user, step=step, **form.cleaned_data),
                  done=_("The step is saved.")):
        return redirect("backoffice:space", org_slug, space.slug)
    return _form_page(request, form, title=_("Edit the step “%(title)s”") % {"title": step.title},
                      submit=_("Save the step"),
                      back_url=reverse("backoffice:space", args=[org_slug, space_slug]),
                      status=400 if form.errors else 200)


@backoffice_view(MANAGE)
def step_delete(request, org_slug, space_slug, step_id):
    space = space_for(request, space_slug)
    step = item_for(space, Step, step_id, field="space")
    if request.method == "POST":
        services.step_delete(actor=request.user, step=step)
        messages.success(request, _("The step “%(title)s” is deleted.") % {"title": step.title})
        return redirect("backoffice:space", org_slug, space.slug)
    return render(request, "backoffice/confirm.html", {
        "title": _("Delete the step “%(title)s”?") % {"title": step.title},
        "message": _("The step and its settings in the components will be deleted. This cannot be undone."),
        "submit": _("Delete the step"),
        "back_url": reverse("backoffice:space", args=[org_slug, space_slug]),
    })


# Components ----------------------------------------------------------------------------------------

@backoffice_view(MANAGE)
def component_add(request, org_slug, space_slug):
    space = space_for(request, space_slug)
    form = ComponentAddForm(request.POST or None)
    saved = form_saved(request, form,
                       lambda: services.component_add(actor=request.user, space=space, **form.cleaned_data),
                       done=_("The component is added. Set it up, then publish it."))
    if saved:
        return redirect("backoffice:component", org_slug, space.slug, saved.result.pk)
    return _form_page(request, form, title=_("Add a component to “%(title)s”") % {"title": space.title},
                      submit=_("Add the component"),
                      back_url=reverse("backoffice:space", args=[org_slug, space_slug]),
                      status=400 if form.errors else 200)


def _component(space, component_id) -> Component:
    component = item_for(space, Component, component_id, field="space")
    try:
        registry.get(component.kind)
    except LookupError:
        raise Http404(_("This type of component is no longer installed.")) from None
    return component


@backoffice_view(MANAGE)
def component_settings(request, org_slug, space_slug, component_id):
    space = space_for(request, space_slug)
    component = _component(space, component_id)
    form = ComponentSettingsForm(request.POST or None, component=component, steps=space.steps.all())
    def save():
        settings, step_settings = form.settings_values()
        services.component_update_settings(
            actor=request.user, component=component, settings=settings, step_settings=step_settings,
            title=form.cleaned_data["title"], verified_actions=form.cleaned_data.get("verified_actions"))

    if form_saved(request, form, save, done=_("The settings are saved.")):
        return redirect("backoffice:space", org_slug, space.slug)
    return render(request, "backoffice/component_settings.html", {
        "form": form, "space": space, "component": component, "manifest": component.manifest,
        "backoffice_url": _backoffice_url(component),
    }, status=400 if form.errors else 200)


@backoffice_view(MANAGE)
@require_POST
def component_status(request, org_slug, space_slug, component_id, action):
    space = space_for(request, space_slug)
    component = _component(space, component_id)
    if action == "publish":
        services.component_publish(actor=request.user, component=component)
        messages.success(request, _("“%(title)s” is published.") % {"title": component.title})
    else:
        services.component_unpublish(actor=request.user, component=component)
        messages.success(request, _("“%(title)s” is no longer published.") % {"title": component.title})
    return redirect("backoffice:space", org_slug, space.slug)


@backoffice_view(MANAGE)
@require_POST
def component_move(request, org_slug, space_slug, component_id, direction):
    space = space_for(request, space_slug)
    component = _component(space, component_id)
    services.component_move(actor=request.user, component=component, direction=direction)
    messages.success(request, _("“%(title)s” is moved.") % {"title": component.title})
    return redirect("backoffice:space", org_slug, space.slug)


@backoffice_view(MANAGE)
def component_delete(request, org_slug, space_slug, component_id):
    space = space_for(request, space_slug)
    component = item_for(space, Component, component_id, field="space")
    back_url = reverse("backoffice:space", args=[org_slug, space_slug])
    if request.method == "POST":
        try:
            services.component_delete(actor=request.user, component=component)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back_url)
        messages.success(request, _("“%(title)s” is deleted.") % {"title": component.title})
        return redirect(back_url)
    refusal = None
    if component.published:
        refusal = _("Unpublish the component before deleting it.")
    elif services.component_participation(component):
        refusal = _("Residents already took part in this component: it cannot be deleted, so that nothing they "
                    "sent is lost. Leave it unpublished instead.")
    if refusal:
        messages.error(request, refusal)
        return redirect(back_url)
    return render(request, "backoffice/confirm.html", {
        "title": _("Delete “%(title)s”?") % {"title": component.title},
        "message": _("The component, its settings and what the team put in it will be deleted. This cannot be "
                     "undone."),
        "submit": _("Delete the component"),
        "back_url": back_url,
    })


# Team and roles ------------------------------------------------------------------------------------

@backoffice_view()
def roles(request, org_slug):
    org = request.organisation
    can_admin = request.user.has_perm("accounts.manage_roles", org)
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST":
        _require(request, "accounts.manage_roles")
        if form_saved(request, form, lambda: backoffice_services.role_grant(
                actor=request.user, organisation=org, user=form.cleaned_data["user"], kind=form.cleaned_data["kind"]),
                done=lambda _role: _("%(email)s is now %(role)s here.") % {
                    "email": form.cleaned_data["user"].email,
                    "role": Role.Kind(form.cleaned_data["kind"]).label.lower()}):
            return redirect("backoffice:roles", org_slug)
    here = list(Role.objects.filter(organisation=org).select_related("user").order_by("kind", "user__email"))
    above = (Role.objects.filter(organisation__in=org.ancestors()).select_related("user", "organisation")
             .order_by("organisation__kind", "kind", "user__email"))
    # When the last enrolment link of each pending holder was sent (shown beside "waiting").
    last_links = dict(RoleEnrolment.objects.filter(user__in=[r.user_id for r in here if r.activated_at is None])
                      .order_by("user_id", "created_at").values_list("user_id", "created_at"))
    for role in here:
        role.link_sent_at = last_links.get(role.user_id)
    return render(request, "backoffice/roles.html", {
        "organisation": org, "roles": here, "roles_above": above, "form": form, "can_admin": can_admin,
        # Addresses are for the people who run the team day to day (agents, administrators), not for every
        # elected official, evaluator or moderator who can open this page.
        "show_emails": request.user.has_perm(MANAGE, org),
    }, status=400 if form.errors else 200)


@backoffice_view("accounts.manage_roles")
def role_revoke(request, org_slug, role_id):
    role = get_object_or_404(Role.objects.select_related("user"), pk=role_id,
                             organisation=request.organisation)
    back_url = reverse("backoffice:roles", args=[org_slug])
    error = ""
    if request.method == "POST":
        try:
            backoffice_services.role_revoke(actor=request.user, role=role)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The role is removed."))
            return redirect(back_url)
    return render(request, "backoffice/confirm.html", {
        "title": _("Remove the role of %(email)s?") % {"email": role.user.email},
        "message": _("%(email)s will no longer be %(role)s of %(organisation)s.") % {
            "email": role.user.email, "role": role.get_kind_display().lower(),
            "organisation": request.organisation.name},
        "error": error,
        "submit": _("Remove the role"),
        "back_url": back_url,
    }, status=400 if error else 200)


def _role_here(request, role_id) -> Role:
    return get_object_or_404(Role.objects.select_related("user", "organisation"), pk=role_id,
                             organisation=request.organisation)


@backoffice_view("accounts.manage_roles")
@require_POST
def role_link_resend(request, org_slug, role_id):
    role = _role_here(request, role_id)
    try:
        backoffice_services.role_enrolment_send(actor=request.user, user=role.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A new activation link is sent to %(email)s; the previous one no longer "
                                    "works.") % {"email": role.user.email})
    return redirect("backoffice:roles", org_slug)


@backoffice_view("accounts.manage_roles")
def role_desk_activate(request, org_slug, role_id):
    """In person: the holder set up their authenticator app while signed in, and types its code here."""
    role = _role_here(request, role_id)
    back_url = reverse("backoffice:roles", args=[org_slug])
    if role.activated_at is not None:
        messages.info(request, _("This role is already active."))
        return redirect(back_url)
    form = DeskEnrolmentForm(request.POST or None)

    def save():
        try:
            return enrolment.role_desk_activate(actor=request.user, role=role, code=form.cleaned_data["code"])
        except enrolment.EnrolmentRefused as refused:
            raise ValidationError({"code": [refused.message]}) from None

    if form_saved(request, form, save, done=_("The roles of %(email)s that you manage are active.") % {
            "email": role.user.email}):
        return redirect(back_url)
    return _form_page(request, form, title=_("Activate at the desk the roles of %(email)s") % {
        "email": role.user.email}, submit=_("Activate"), back_url=back_url, intro=_(
        "Only with the person in front of you. They sign in on their phone or on this computer, set up an "
        "authenticator app from their account (Two-factor authentication), then type the code it shows here. "
        "The code proves the app on their phone is the account's."), status=400 if form.errors else 200)


@backoffice_view("accounts.manage_roles")
def role_second_factor_reset(request, org_slug, role_id):
    """A staff member lost their authenticator app and their recovery codes."""
    role = _role_here(request, role_id)
    back_url = reverse("backoffice:roles", args=[org_slug])
    error = ""
    if request.method == "POST":
        try:
            backoffice_services.staff_second_factor_reset(actor=request.user, user=role.user)
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        else:
            messages.success(request, _("The two-factor authentication of %(email)s is reset; a new activation "
                                        "link is sent to them.") % {"email": role.user.email})
            return redirect(back_url)
    return render(request, "backoffice/confirm.html", {
        "title": _("Reset the two-factor authentication of %(email)s?") % {"email": role.user.email},
        "message": _("Do this only after checking who is asking, for instance in person: their authenticator "
                     "app and recovery codes are removed, all their roles wait until they follow the new link "
                     "sent to their address and set up a new app."),
        "error": error,
        "submit": _("Reset"),
        "back_url": back_url,
    }, status=400 if error else 200)


# Organisation settings -----------------------------------------------------------------------------

@backoffice_view("accounts.manage_roles")
def organisation_settings(request, org_slug):
    org = request.organisation
    form = OrganisationSettingsForm(request.POST or None, request.FILES or None,
                                    initial=OrganisationSettingsForm.initial_for(org))
    if form_saved(request, form, lambda: backoffice_services.organisation_settings_update(
            actor=request.user, organisation=org,
            **{**form.cleaned_data, "logo": _uploaded(form.cleaned_data.get("logo"))}),
            done=_("The settings are saved.")):
        return redirect("backoffice:organisation", org_slug)
    return _form_page(request, form, title=_("Settings of %(name)s") % {"name": org.name},
                      submit=_("Save the settings"),
                      back_url=reverse("backoffice:organisation", args=[org_slug]),
                      multipart=True, status=400 if form.errors else 200)


# Audit log -----------------------------------------------------------------------------------------



@backoffice_view("participation.view_audit")
@require_safe
def audit(request, org_slug):
    org = request.organisation
    entries = AuditEntry.objects.filter(organisation_id__in=org.descendant_ids())
    actions = sorted(set(entries.values_list("action", flat=True)))
    action = request.GET.get("action", "")
    if action in actions:
        entries = entries.filter(action=action)
    else:
        action = ""
    page = Paginator(entries.select_related("actor", "organisation"), 50).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.label = action_label(entry.action)
    return render(request, "backoffice/audit.html", {
        "organisation": org, "page": page, "action": action, "query": urlencode({"action": action}) if action else "",
        "actions": sorted(((value, action_label(value)) for value in actions),
                          key=lambda pair: collation_key(str(pair[1]))),
    })
