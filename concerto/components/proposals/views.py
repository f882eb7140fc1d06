"""Public proposals pages: the list (filters, orders, map), a proposal, submitting, editing, withdrawing,
supporting; and the small endpoints the list and the form use (map points, similar proposals)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.components.proposals import queries, services
from concerto.components.proposals.forms import FilterForm, ProposalForm
from concerto.components.proposals.models import Proposal, Support
from concerto.core.accounts.verification import action_refusal
from concerto.core.forms import form_unchecked, similar_while_typing
from concerto.core.participation.behalf import behalf_field_add
from concerto.core.participation.models import ItemLink
from concerto.core.participation.submissions.views import submission_points
from concerto.core.ratelimit import rate_limited, sender_of
from concerto.core.spaces.lookup import item_for, public_component_for
from concerto.core.spaces.models import Component
from concerto.core.texts import similar as similar_texts

# The map shows at most this many points (the first ones in the list's order); the page says so.
MAP_LIMIT = 500


def get_proposal(request, component: Component, proposal_id: int, can_manage: bool) -> Proposal:
    """PROPOSAL_ID of COMPONENT; a hidden one is a 404 except for the organisation's managers and
    moderators."""
    proposal = item_for(component, Proposal.objects.select_related("category", "commune", "author"), proposal_id)
    if proposal.is_hidden and not (
            can_manage or request.user.has_perm("participation.moderate", request.organisation)):
        raise Http404(_("This proposal does not exist."))
    return proposal


def _context(component: Component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            "threshold": component.setting("support_threshold"), **extra}


def _next_url(request, fallback: str) -> str:
    candidate = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    return fallback


def _listing(request, component: Component):
    """The filter form, the filters, the seed of the random order and the filtered, ordered queryset."""
    base = component.proposals.visible().filter(merged_into__isnull=True)
    categories = list(component.proposal_categories.all())
    communes = base.communes()
    form = FilterForm(request.GET, categories=categories, communes=list(communes),
                      default_order=component.setting("default_order"))
    filters = form.filters()
    seed = queries.parse_seed(request.GET.get("graine"))
    if filters["order"] == "random" and seed is None:
        seed = queries.new_seed()
    proposals = queries.ordered(queries.filtered(base, **filters), filters["order"], seed or 0)
    return form, filters, seed, proposals


def _query_string(filters: dict, seed, **extra) -> str:
    """The list's filters as a query string, so that pages, the map and the orders keep them."""
    params = {"q": filters["q"], "categorie": filters["category"] or "", "statut": filters["status"],
              "commune": filters["commune"] or "", "tri": filters["order"]}
    if filters["order"] == "random" and seed is not None:
        params["graine"] = seed
    params.update(extra)
    return urlencode({key: value for key, value in params.items() if value not in ("", None)})


@require_safe
def proposal_list(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    form, filters, seed, proposals = _listing(request, component)
    page = queries.page_of(proposals, request.GET.get("page"), component.setting("proposals_per_page"))
    rows = page.object_list
    for proposal in rows:
        proposal.component = component
    supported = services.supported_ids(user=request.user, proposals=rows)
    for proposal in rows:
        proposal.user_supports = proposal.pk in supported
    query = _query_string(filters, seed)
    show_map = request.GET.get("vue") == "carte"
    return render(request, "proposals/proposal_list.html", _context(
        component, form=form, filters=filters, page=page, proposals=rows,
        can_manage=can_manage, query=query, show_map=show_map,
        map_limit=MAP_LIMIT,
        points_url=reverse("proposals:points", args=[org_slug, space_slug, component.pk]) + f"?{query}",
        filtered=any([filters["q"], filters["category"], filters["status"], filters["commune"]]),
        submissions=component.window("submissions_open"),
        submit_refusal=action_refusal(user=request.user, component=component, action="submit",
                                      next_url=request.get_full_path()),
    ))


@require_safe
def proposal_points(request, org_slug, space_slug, component_id):
    """GeoJSON FeatureCollection of the located proposals of the list's filters, at most MAP_LIMIT of them
    (the first ones in the list's order; `truncated` says when some are left out)."""
    component, _can_manage = public_component_for(
        request, "proposals", space_slug=space_slug, component_id=component_id)
    _form, _filters, _seed, proposals = _listing(request, component)
    base_url = component.get_absolute_url()
    return submission_points(proposals, limit=MAP_LIMIT, url_of=lambda pk: f"{base_url}{pk}/",
                             only=request.GET.get("proposition", ""), properties={"supports": "support_count"})


def _similar(component, text: str, **options) -> list[Proposal]:
    """Similar proposals for the form, each with its number of supports in words (includes/similar_ideas.html)."""
    return similar_texts.with_supports(queries.similar(component, text, **options))


@require_safe
def similar_proposals(request, org_slug, space_slug, component_id):
    """A small HTML fragment: the proposals closest to the title and description being typed (`title`, `text`),
    asked by the form after a pause; rate-limited per sender."""
    component, _can_manage = public_component_for(
        request, "proposals", space_slug=space_slug, component_id=component_id)
    exclude = request.GET.get("exclure", "")
    exclude_pk = int(exclude) if exclude.isdigit() and len(exclude) < 12 else None
    return similar_texts.fragment(request, lambda text: _similar(component, text, exclude_pk=exclude_pk),
                                  "proposals/_similar.html")


@require_safe
def proposal_detail(request, org_slug, space_slug, component_id, proposal_id):
    component, can_manage = public_component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    proposal = get_proposal(request, component, proposal_id, can_manage)
    if proposal.is_merged and request.GET.get("fusion") != "non":
        messages.info(request, _("The proposal “%(title)s” was merged with this one: it said the same thing.")
                      % {"title": proposal.title})
        return redirect(proposal.merged_into.get_absolute_url())
    user = request.user
    is_author = user.is_authenticated and proposal.author_id == user.pk
    supports = component.window("supports_open")
    supported = user.is_authenticated and Support.objects.filter(proposal=proposal, user=user).exists()
    proposal.user_supports = supported
    limit = component.step_setting("supports_per_participant")
    remaining = None
    if limit and user.is_authenticated and supports.open:
        remaining = max(0, limit - Support.objects.filter(component=component, user=user).count())
    return render(request, "proposals/proposal_detail.html", _context(
        component, proposal=proposal, can_manage=can_manage, is_author=is_author, supported=supported,
        supports_window=supports, support_refusal=services.support_refusal(
            user=user if user.is_authenticated else None, proposal=proposal),
        supports_limit=limit, supports_remaining=remaining,
        verification_refusal=action_refusal(user=user, component=component, action="support",
                                            next_url=request.get_full_path()),
        edit_blocker=proposal.edit_blocker() if is_author else "",
        comments_enabled=component.setting("comments_enabled"),
        content_type_id=ContentType.objects.get_for_model(Proposal).pk,
        became=ItemLink.objects.from_item(proposal).first(),
        merged=list(proposal.merged_proposals.order_by("pk")),
        points_url=reverse("proposals:points", args=[org_slug, space_slug, component.pk])
        + f"?proposition={proposal.pk}",
    ))


def _proposal_form_page(request, component, form, *, proposal=None, status=200, refusal="", similar=None,
                        verification_refusal=None, checked=False):
    if form is not None:
        # Similar proposals are fetched while the title or the description is typed (HTMX, after a pause) and
        # announced by the page's live region; without JavaScript, the « Check for similar ideas » button shows
        # them (the form comes back as typed), and so does a failed submission.
        url = reverse("proposals:similar", args=[component.space.organisation.slug, component.space.slug,
                                                 component.pk])
        similar_while_typing(form, url + (f"?exclure={proposal.pk}" if proposal else ""), "#similar-proposals")
    return render(request, "proposals/proposal_form.html", _context(
        component, form=form, proposal=proposal, refusal=refusal, similar=similar or [], checked=checked,
        submissions=component.window("submissions_open"), verification_refusal=verification_refusal,
    ), status=status)


@require_http_methods(["GET", "POST"])
@rate_limited
def proposal_create(request, org_slug, space_slug, component_id):
    component, _can_manage = public_component_for(
        request, "proposals", space_slug=space_slug, component_id=component_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    window = component.window("submissions_open")
    form = behalf_field_add(ProposalForm(request.POST or None, request.FILES or None, component=component),
                            request.user, component.space.organisation)
    if not window.open:
        closed = _("Submissions are closed.")
        return _proposal_form_page(request, component, None, status=403 if request.method == "POST" else 200,
                                   refusal=f"{closed} {window.message}")
    verification = action_refusal(user=request.user, component=component, action="submit",
                                  next_url=request.get_full_path())
    if verification is not None:
        # The message and the way to verify instead of the form; a form sent anyway saves nothing.
        return _proposal_form_page(request, component, None, verification_refusal=verification,
                                   status=403 if request.method == "POST" else 200)
    if request.method == "POST" and request.POST.get("similar_check"):
        similar = similar_texts.lookup(request, lambda text: _similar(component, text)) or []
        return _proposal_form_page(request, component, form_unchecked(form), similar=similar, checked=True)
    if request.method == "POST":
        if form.is_valid():
            try:
                proposal = services.proposal_create(author=request.user, component=component, sender=sender_of(request),
                                                    **form.values())
            except ValidationError as error:
                form.add_service_errors(error)
            except services.ProposalError as refusal:
                return _proposal_form_page(request, component, form, status=403, refusal=refusal.message)
            else:
                messages.success(request, _("Your proposal is published. Share it so that others support it."))
                return redirect(proposal.get_absolute_url())
        return _proposal_form_page(request, component, form, status=400,
                                   similar=_similar(component, similar_texts.typed(request.POST)))
    return _proposal_form_page(request, component, form)


def _authored_proposal(request, space_slug, component_id, proposal_id):
    component, can_manage = public_component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    proposal = get_proposal(request, component, proposal_id, can_manage)
    if proposal.author_id != request.user.pk:
        raise PermissionDenied(_("Only the author of a proposal can change or withdraw it."))
    return component, proposal


@require_http_methods(["GET", "POST"])
def proposal_edit(request, org_slug, space_slug, component_id, proposal_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    component, proposal = _authored_proposal(request, space_slug, component_id, proposal_id)
    blocker = proposal.edit_blocker()
    if blocker:
        return _proposal_form_page(request, component, None, proposal=proposal, refusal=blocker,
                                   status=403 if request.method == "POST" else 200)
    form = ProposalForm(request.POST or None, request.FILES or None, component=component, proposal=proposal)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.proposal_update(actor=request.user, proposal=proposal, **form.values())
            except ValidationError as error:
                form.add_service_errors(error)
            except services.ProposalError as refusal:
                return _proposal_form_page(request, component, None, proposal=proposal, status=403,
                                           refusal=refusal.message)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(proposal.get_absolute_url())
        return _proposal_form_page(request, component, form, proposal=proposal, status=400)
    return _proposal_form_page(request, component, form, proposal=proposal)


@require_http_methods(["GET", "POST"])
def proposal_withdraw(request, org_slug, space_slug, component_id, proposal_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    component, proposal = _authored_proposal(request, space_slug, component_id, proposal_id)
    if request.method == "POST":
        services.proposal_withdraw(actor=request.user, proposal=proposal)
        messages.success(request, _("Your proposal is withdrawn. It stays visible, marked as withdrawn, and can "
                                    "no longer be supported."))
        return redirect(proposal.get_absolute_url())
    return render(request, "proposals/proposal_withdraw.html", _context(component, proposal=proposal))


@require_POST
@rate_limited
def support_add(request, org_slug, space_slug, component_id, proposal_id):
    component, can_manage = public_component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    proposal = get_proposal(request, component, proposal_id, can_manage)
    if not request.user.is_authenticated:
        return redirect_to_login(proposal.get_absolute_url())
    try:
        services.support_add(user=request.user, proposal=proposal, sender=sender_of(request))
    except services.ProposalError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Thank you: you support this proposal."))
    return redirect(_next_url(request, proposal.get_absolute_url()))


@require_POST
def support_remove(request, org_slug, space_slug, component_id, proposal_id):
    component, can_manage = public_component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    proposal = get_proposal(request, component, proposal_id, can_manage)
    if not request.user.is_authenticated:
        return redirect_to_login(proposal.get_absolute_url())
    try:
        removed = services.support_remove(user=request.user, proposal=proposal)
    except services.ProposalError as refusal:
        messages.error(request, refusal.message)
    else:
        if removed:
            messages.success(request, _("Your support is withdrawn."))
    return redirect(_next_url(request, proposal.get_absolute_url()))
