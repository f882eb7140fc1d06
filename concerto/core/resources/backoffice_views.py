"""The agents' pages of the resource centre, per organisation: its templates, publishing one from a space, making a
space from a template; and the guides, which only the Métropole's administrators write. Thin views over
services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import MANAGE, READ
from concerto.core.forms import form_saved
from concerto.core.resources import services
from concerto.core.resources.forms import ExampleShareForm, GuideForm, SpaceFromTemplateForm, TemplatePublishForm
from concerto.core.resources.models import Guide, ProcessTemplate, SharedExample
from concerto.core.resources.permissions import MANAGE_GUIDES
from concerto.core.spaces.models import Space

GUIDES_DENIED = gettext_lazy("Only the Métropole's administrators write the guides.")


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@backoffice_view(MANAGE, read=READ)
def template_list(request, org_slug):
    spaces = Space.objects.filter(organisation=request.organisation).order_by("title")
    chosen = request.GET.get("espace", "")
    if chosen.isdigit() and spaces.filter(pk=int(chosen)).exists():
        return redirect("resources_backoffice:template_publish", org_slug, int(chosen))
    return render(request, "resources/backoffice/template_list.html", {
        "templates": ProcessTemplate.objects.filter(organisation=request.organisation),
        "spaces": spaces,
        "may_write_guides": request.user.has_perm(MANAGE_GUIDES, request.organisation),
    })


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def template_publish(request, org_slug, space_id):
    space = get_object_or_404(Space.objects.select_related("organisation"), pk=space_id)
    # Another organisation's space that is not public: as if it did not exist.
    if not services.space_may_be_template_of(space, request.organisation):
        raise Http404(_("This space does not exist."))
    steps = list(space.steps.order_by("position", "start_date", "pk"))
    form = TemplatePublishForm(request.POST or None, steps=steps, initial={"name": space.title,
                                                                         "summary": space.summary})
    saved = form_saved(request, form, lambda: services.template_publish(
        actor=request.user, organisation=request.organisation, space=space, **form.values()),
        done=_("The template is published in the resource centre."))
    if saved:
        return redirect(saved.result.get_absolute_url())
    return render(request, "resources/backoffice/template_publish.html",
                  {"form": form, "space": space, "components": space.components.all()}, status=_status(form))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def template_use(request, org_slug, template_id):
    template = get_object_or_404(ProcessTemplate, pk=template_id)
    if not (template.published or template.organisation_id == request.organisation.pk):
        raise Http404(_("This template does not exist."))
    form = SpaceFromTemplateForm(request.POST or None)
    saved = form_saved(request, form, lambda: services.space_from_template(
        actor=request.user, organisation=request.organisation, template=template, **form.cleaned_data),
        done=_("The space is created as a draft: adapt it, then publish it."))
    if saved:
        return redirect("backoffice:space", org_slug, saved.result.slug)
    return render(request, "resources/backoffice/template_use.html", {"form": form, "template": template},
                  status=_status(form))


@require_POST
@backoffice_view(MANAGE)
def template_unpublish(request, org_slug, template_id):
    template = get_object_or_404(ProcessTemplate, pk=template_id, organisation=request.organisation)
    services.template_unpublish(actor=request.user, template=template)
    return redirect("resources_backoffice:templates", org_slug)


@backoffice_view(MANAGE_GUIDES, denied=GUIDES_DENIED)
def guide_list(request, org_slug):
    return render(request, "resources/backoffice/guide_list.html", {"guides": Guide.objects.all()})


def _guide_form(request, guide):
    initial = ({name: getattr(guide, name) for name in ("title", "summary", "topic", "body", "published")}
               if guide else None)
    form = GuideForm(request.POST or None, initial=initial)
    saved = form_saved(request, form, lambda: services.guide_save(
        actor=request.user, organisation=request.organisation, guide=guide, **form.cleaned_data),
        done=_("The guide is saved."))
    if saved:
        return redirect("resources_backoffice:guides", request.organisation.slug)
    return render(request, "resources/backoffice/guide_form.html", {"form": form, "guide": guide},
                  status=_status(form))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE_GUIDES, denied=GUIDES_DENIED)
def guide_create(request, org_slug):
    return _guide_form(request, None)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE_GUIDES, denied=GUIDES_DENIED)
def guide_edit(request, org_slug, guide_id):
    return _guide_form(request, get_object_or_404(Guide, pk=guide_id))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def example_share(request, org_slug, space_id):
    """Share one of the organisation's published spaces with the other communes as an example of practice."""
    space = get_object_or_404(Space.objects.select_related("organisation"), pk=space_id)
    if not services.space_may_be_shared_by(space, request.organisation):
        raise Http404(_("This space does not exist."))
    if not space.is_published:
        raise PermissionDenied(_("Only a published space can be shared as an example: publish it first."))
    example = SharedExample.objects.filter(space=space, withdrawn_at__isnull=True).first()
    initial = ({"text": example.text, "kind": example.kind, "topics": list(example.topics.all())} if example
               else {"topics": list(space.topics.all())})
    form = ExampleShareForm(request.POST or None, initial=initial)
    saved = form_saved(request, form, lambda: services.example_share(
        actor=request.user, organisation=request.organisation, space=space, **form.cleaned_data),
        done=_("The space is shared with the other communes as an example."))
    if saved:
        return redirect("network:example", org_slug, saved.result.pk)
    return render(request, "resources/backoffice/example_share.html",
                  {"form": form, "space": space, "example": example}, status=_status(form))


@require_POST
@backoffice_view(MANAGE)
def example_unshare(request, org_slug, example_id):
    example = get_object_or_404(SharedExample.objects.select_related("space"), pk=example_id,
                                withdrawn_at__isnull=True)
    if not services.space_may_be_shared_by(example.space, request.organisation):
        raise Http404(_("This example does not exist."))
    services.example_unshare(actor=request.user, example=example)
    messages.success(request, _("The space is no longer shared as an example."))
    return redirect("backoffice:space", example.space.organisation.slug, example.space.slug)
