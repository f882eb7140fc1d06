"""Public pages of projects: the list (filters, search, map), a project, submitting, editing, withdrawing,
and the follow-up of the winning projects.

What the public sees: projects not hidden and not withdrawn; projects found not eligible stay, with the
reason; merged ones stay, pointing to the project they joined. A withdrawn project's page is left to its
author and the team, a hidden one's to the team and the moderators.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from concerto.components.budgets import services
from concerto.components.budgets.forms import FilterForm, ProjectForm, filter_by_status
from concerto.components.budgets.models import Budget, Project, ProjectPhoto
from concerto.components.budgets.permissions import READ_REVIEW
from concerto.core.accountability.models import Action
from concerto.core.accounts.verification import action_refusal
from concerto.core.forms import form_unchecked, similar_while_typing
from concerto.core.participation.behalf import behalf_field_add, behalf_names
from concerto.core.participation.submissions.views import submission_points
from concerto.core.ratelimit import rate_limited, sender_of
from concerto.core.spaces.lookup import item_for, public_component_for
from concerto.core.spaces.models import Component
from concerto.core.texts import similar as similar_texts

MAP_LIMIT = 500


def get_project(request, component: Component, project_id: int) -> Project:
    project = item_for(component, Project.objects.select_related("category", "commune", "author", "budget",
                                                                 "merged_into"), project_id)
    user = request.user
    team = user.has_perm(READ_REVIEW, component)
    if project.is_hidden and not (team or user.has_perm("participation.moderate", request.organisation)):
        raise Http404(_("This project does not exist."))
    if project.withdrawn_at is not None and not (team or (user.is_authenticated and project.author_id == user.pk)):
        raise Http404(_("This project was withdrawn by its author."))
    return project


def _context(component: Component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


def _public_base(component):
    return component.budget_projects.visible().filter(withdrawn_at__isnull=True)


def _listing(request, component: Component):
    base = _public_base(component)
    budgets = list(Budget.objects.filter(component=component))
    categories = list(component.budget_categories.all())
    communes = base.communes()
    form = FilterForm(request.GET, budgets=budgets, categories=categories, communes=list(communes))
    filters = form.filters()
    projects = base
    if filters["budget"]:
        projects = projects.filter(budget_id=filters["budget"])
    if filters["category"]:
        projects = projects.filter(category_id=filters["category"])
    if filters["commune"]:
        projects = projects.filter(commune_id=filters["commune"])
    if filters["q"]:
        projects = projects.filter(Q(title__icontains=filters["q"]) | Q(text__icontains=filters["q"]))
    projects = filter_by_status(projects, filters["status"])
    if filters["status"] == "ballot":
        projects = projects.order_by("budget__position", "budget_id", "ballot_number", "pk")
    return form, filters, budgets, projects


def _query_string(filters: dict, **extra) -> str:
    params = {"q": filters["q"], "enveloppe": filters["budget"] or "", "categorie": filters["category"] or "",
              "commune": filters["commune"] or "", "statut": filters["status"]}
    params.update(extra)
    return urlencode({key: value for key, value in params.items() if value not in ("", None)})


@require_safe
def project_list(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(
        request, "budgets", space_slug=space_slug, component_id=component_id, preview=READ_REVIEW)
    form, filters, budgets, projects = _listing(request, component)
    per_page = component.setting("projects_per_page")
    page = Paginator(projects.select_related("category", "commune", "budget"), per_page).get_page(
        request.GET.get("page"))
    for project in page.object_list:
        project.component = component
    behalf_names(page.object_list)  # « au nom de » on the cards, in one query
    query = _query_string(filters)
    show_map = request.GET.get("vue") == "carte"
    return render(request, "budgets/projects/project_list.html", _context(
        component, form=form, filters=filters, page=page, projects=page.object_list, budgets=budgets,
        published_budgets=[b for b in budgets if b.ballot_published_at], can_manage=can_manage, query=query,
        show_map=show_map, map_limit=MAP_LIMIT,
        points_url=reverse("budgets:points", args=[org_slug, space_slug, component.pk]) + f"?{query}",
        filtered=any([filters["q"], filters["budget"], filters["category"], filters["status"], filters["commune"]]),
        submissions=component.window("submissions_open"), voting=component.window("voting_open"), active="projects",
        verification=action_refusal(user=request.user, component=component, action="submit",
                                    next_url=reverse("budgets:create", args=[org_slug, space_slug, component.pk])),
    ))


@require_safe
def project_points(request, org_slug, space_slug, component_id):
    """GeoJSON FeatureCollection of the located projects of the list's filters (MAP_LIMIT at most)."""
    component, _can_manage = public_component_for(
        request, "budgets", space_slug=space_slug, component_id=component_id, preview=READ_REVIEW)
    _form, _filters, _budgets, projects = _listing(request, component)
    base = reverse("budgets:index", args=[org_slug, space_slug, component.pk])
    return submission_points(projects, limit=MAP_LIMIT, url_of=lambda pk: f"{base}projets/{pk}/",
                             only=request.GET.get("projet", ""))


@require_safe
def project_detail(request, org_slug, space_slug, component_id, project_id):
    component, can_manage = public_component_for(
        request, "budgets", space_slug=space_slug, component_id=component_id, preview=READ_REVIEW)
    project = get_project(request, component, project_id)
    user = request.user
    is_author = user.is_authenticated and project.author_id == user.pk
    budget = project.budget
    ballot_public = bool(budget and budget.ballot_published_at)
    # A winning project's follow-up is its own action (kernel decisions and actions): stage, progress, news, photos.
    action = services.project_action(project)
    merged_from = list(project.merged_projects.visible().filter(withdrawn_at__isnull=True).order_by("title"))
    for other in merged_from:
        other.component = component
    if project.merged_into is not None:
        project.merged_into.component = component
    return render(request, "budgets/projects/project_detail.html", _context(
        component, project=project, can_manage=can_manage, is_author=is_author,
        can_review=user.has_perm(READ_REVIEW, component),
        edit_blocker=services.edit_blocker(project) if is_author else "",
        ballot_public=ballot_public, action=action, merged_from=merged_from,
        source=services.project_source(project),
        comments_enabled=component.setting("comments_enabled"),
        content_type_id=ContentType.objects.get_for_model(Project).pk,
        points_url=reverse("budgets:points", args=[org_slug, space_slug, component.pk]) + f"?projet={project.pk}",
        active="projects",
    ))


def similar_projects(component, text: str, *, exclude_pk=None) -> list[Project]:
    """The public projects of COMPONENT closest to TEXT (neither withdrawn, merged nor found not eligible), each
    with its `similarity` (concerto/core/texts/similar.py)."""
    candidates = (_public_base(component).filter(merged_into__isnull=True)
                  .exclude(eligibility=Project.Eligibility.INELIGIBLE))
    scope = similar_texts.queryset_scope(f"budgets:{component.pk}", candidates)
    found = similar_texts.suggestions(scope, candidates.only("id", "title", "component_id"), text,
                                      exclude=[exclude_pk] if exclude_pk else [])
    for project in found:
        project.component = component
    return found


@require_safe
def project_similar(request, org_slug, space_slug, component_id):
    """A small HTML fragment: the projects closest to the title and description being typed; rate-limited."""
    component, _can_manage = public_component_for(
        request, "budgets", space_slug=space_slug, component_id=component_id, preview=READ_REVIEW)
    exclude = request.GET.get("exclure", "")
    exclude_pk = int(exclude) if exclude.isdigit() and len(exclude) < 12 else None
    return similar_texts.fragment(request, lambda text: similar_projects(component, text, exclude_pk=exclude_pk),
                                  "budgets/projects/_similar.html")


def _form_page(request, component, form, *, project=None, status=200, refusal="", verification=None, similar=None,
               checked=False):
    if form is not None:
        # As for proposals: similar projects while typing (htmx), or with the « Check for similar ideas » button.
        url = reverse("budgets:similar", args=[component.space.organisation.slug, component.space.slug, component.pk])
        similar_while_typing(form, url + (f"?exclure={project.pk}" if project else ""), "#similar-projects")
    return render(request, "budgets/projects/project_form.html", _context(
        component, form=form, project=project, refusal=refusal, verification=verification, similar=similar or [],
        checked=checked, submissions=component.window("submissions_open"), active="projects"), status=status)


@require_http_methods(["GET", "POST"])
@rate_limited
def project_create(request, org_slug, space_slug, component_id):
    component, _can_manage = public_component_for(
        request, "budgets", space_slug=space_slug, component_id=component_id, preview=READ_REVIEW)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    refusal = services.submission_refusal(component)
    if refusal:
        return _form_page(request, component, None, refusal=refusal, status=403 if request.method == "POST" else 200)
    # Submitting may be reserved to verified residents: say so, and where to verify, instead of the form.
    verification = action_refusal(user=request.user, component=component, action="submit",
                                  next_url=request.get_full_path())
    if verification is not None:
        return _form_page(request, component, None, verification=verification,
                          status=403 if request.method == "POST" else 200)
    form = behalf_field_add(ProjectForm(request.POST or None, request.FILES or None, component=component),
                            request.user, component.space.organisation)
    if request.method == "POST" and request.POST.get("similar_check"):
        similar = similar_texts.lookup(request, lambda text: similar_projects(component, text)) or []
        return _form_page(request, component, form_unchecked(form), similar=similar, checked=True)
    if request.method == "POST":
        if form.is_valid():
            try:
                project = services.project_create(author=request.user, component=component, sender=sender_of(request),
                                                  **form.values())
            except ValidationError as error:
                form.add_service_errors(error)
            except services.ProjectError as error:
                return _form_page(request, component, None, refusal=error.message, status=403)
            else:
                messages.success(request, _("Your project is submitted. The services will review it; you can "
                                            "change it until they start."))
                return redirect(project.get_absolute_url())
        return _form_page(request, component, form, status=400,
                          similar=similar_projects(component, similar_texts.typed(request.POST)))
    return _form_page(request, component, form)


def _authored_project(request, space_slug, component_id, project_id):
    component, _can_manage = public_component_for(
        request, "budgets", space_slug=space_slug, component_id=component_id, preview=READ_REVIEW)
    project = get_project(request, component, project_id)
    if project.author_id is None or project.author_id != request.user.pk:
        raise PermissionDenied(_("Only the author of a project can change or withdraw it."))
    return component, project


@require_http_methods(["GET", "POST"])
def project_edit(request, org_slug, space_slug, component_id, project_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    component, project = _authored_project(request, space_slug, component_id, project_id)
    blocker = services.edit_blocker(project)
    if blocker:
        return _form_page(request, component, None, project=project, refusal=blocker,
                          status=403 if request.method == "POST" else 200)
    form = ProjectForm(request.POST or None, request.FILES or None, component=component, project=project)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.project_update(actor=request.user, project=project, **form.values())
            except ValidationError as error:
                form.add_service_errors(error)
            except services.ProjectError as error:
                return _form_page(request, component, None, project=project, refusal=error.message, status=403)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(project.get_absolute_url())
        return _form_page(request, component, form, project=project, status=400)
    return _form_page(request, component, form, project=project)


@require_http_methods(["GET", "POST"])
def project_withdraw(request, org_slug, space_slug, component_id, project_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    component, project = _authored_project(request, space_slug, component_id, project_id)
    refusal = ""
    if request.method == "POST":
        try:
            services.project_withdraw(actor=request.user, project=project)
        except services.ProjectError as error:
            refusal = error.message
        else:
            messages.success(request, _("Your project is withdrawn. It no longer appears in the list, and will "
                                        "not be put to the vote."))
            return redirect(component.get_absolute_url())
    return render(request, "budgets/projects/project_withdraw.html", _context(
        component, project=project, refusal=refusal, active="projects"), status=403 if refusal else 200)


@require_safe
def followup_list(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(
        request, "budgets", space_slug=space_slug, component_id=component_id, preview=READ_REVIEW)
    projects = list(_public_base(component).filter(selected=True).select_related("budget", "commune")
                    .prefetch_related(Prefetch("photos", queryset=ProjectPhoto.objects.order_by("-created_at", "pk")))
                    .order_by("budget__position", "budget_id", "title", "pk"))
    actions = services.project_actions(projects)
    counts = {value: 0 for value in Action.Stage.values}
    for project in projects:
        project.component = component
        project.follow_up = actions.get(project.pk)
        # The newest photo of its works, else one from its submission.
        photos = [*(project.follow_up.photos.all() if project.follow_up else ())][::-1] + [*project.photos.all()]
        project.card_photo = photos[0] if photos else None
        if project.follow_up is not None:
            counts[project.follow_up.stage] += 1
    figures = [(label, counts[value]) for value, label in Action.Stage.choices if counts[value]]
    return render(request, "budgets/projects/followup_list.html", _context(
        component, projects=projects, figures=figures, can_manage=can_manage, active="followup"))
