"""Public pages: a component's questions, a question with its answer, the ask form, supports; the commune's
elected officials and their public profiles."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.components.questions import queries, services
from concerto.components.questions.figures import figures
from concerto.components.questions.forms import AskForm
from concerto.components.questions.models import OfficialProfile, Question, QuestionSupport
from concerto.core import registry
from concerto.core.accounts.verification import action_refusal
from concerto.core.forms import form_add_errors, form_unchecked, similar_while_typing
from concerto.core.participation.behalf import behalf_field_add, behalf_names
from concerto.core.ratelimit import rate_limited, sender_of
from concerto.core.spaces.lookup import item_for, public_component_for
from concerto.core.texts import similar as similar_texts

PER_PAGE = 20


def _context(component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


def question_list(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(request, "questions", space_slug=space_slug,
                                                 component_id=component_id)
    questions = (Question.objects.public().filter(component=component)
                 .select_related("addressee", "component__space__organisation"))
    shown = request.GET.get("etat", "")
    if shown == "repondues":
        questions = questions.filter(answered_at__isnull=False)
    elif shown == "en-attente":
        questions = questions.filter(committed_at__isnull=False, answered_at__isnull=True)
    page = Paginator(questions.order_by("-published_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    behalf_names(page.object_list)  # « Au nom de » on the cards, in one query
    mine = list(Question.objects.filter(component=component, author=request.user, status=Question.Status.PENDING)
                if request.user.is_authenticated else ())
    behalf_names(mine)
    return render(request, "questions/question_list.html", _context(
        component, page=page, shown=shown, mine=mine, can_manage=can_manage,
        threshold=component.setting("support_threshold"), answer_days=component.setting("answer_days"),
        window=component.window("questions_open"), query=f"etat={shown}" if shown else ""))


def _question(request, component, question_id, can_manage) -> Question:
    question = item_for(component, Question, question_id)
    # Its author and the team see a question waiting for moderation; nobody else does.
    if not (question.is_public or can_manage
            or (request.user.is_authenticated and question.author_id == request.user.pk
                and question.status == Question.Status.PENDING)):
        raise Http404(_("This question does not exist or is not published."))
    return question


def question_detail(request, org_slug, space_slug, component_id, question_id):
    component, can_manage = public_component_for(request, "questions", space_slug=space_slug,
                                                 component_id=component_id)
    question = _question(request, component, question_id, can_manage)
    user = request.user
    supported = user.is_authenticated and QuestionSupport.objects.filter(question=question, user=user).exists()
    return render(request, "questions/question_detail.html", _context(
        component, question=question, supported=supported, can_manage=can_manage,
        threshold=component.setting("support_threshold"), answer_days=component.setting("answer_days"),
        support_refusal=services.support_refusal(user=user if user.is_authenticated else None, question=question),
        verification_refusal=action_refusal(user=user, component=component, action="support",
                                            next_url=request.get_full_path()) if user.is_authenticated else None))


def similar_questions(component, text: str) -> list[Question]:
    """Similar public questions for the form, each with its number of supports in words."""
    return similar_texts.with_supports(queries.similar(component, text))


@require_safe
def question_similar(request, org_slug, space_slug, component_id):
    """A small HTML fragment: the public questions closest to the question and details being typed (`title`,
    `text`), asked by the form after a pause; rate-limited per sender."""
    component, _can_manage = public_component_for(request, "questions", space_slug=space_slug,
                                                  component_id=component_id)
    return similar_texts.fragment(request, lambda text: similar_questions(component, text),
                                  "questions/_similar.html")


def _form_page(request, component, form, *, status=200, similar=None, checked=False, refusal=""):
    # Similar questions while typing (htmx, announced by the live region); without JavaScript, the « Check for
    # similar questions » button shows them with the form as typed, and so does a failed submission.
    url = reverse("questions:similar", args=[component.space.organisation.slug, component.space.slug, component.pk])
    similar_while_typing(form, url, "#similar-questions")
    return render(request, "questions/question_form.html", _context(
        component, form=form, similar=similar or [], checked=checked, refusal=refusal), status=status)


@require_http_methods(["GET", "POST"])
@rate_limited
def question_ask(request, org_slug, space_slug, component_id):
    component, _can_manage = public_component_for(request, "questions", space_slug=space_slug,
                                                  component_id=component_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisation = component.space.organisation
    status = 403 if request.method == "POST" else 200
    refusal = services.ask_refusal(user=request.user, component=component)
    if refusal:
        return render(request, "questions/question_form.html", _context(component, refusal=refusal), status=status)
    verification = action_refusal(user=request.user, component=component, action="ask",
                                  next_url=request.get_full_path())
    if verification is not None:
        return render(request, "questions/question_form.html",
                      _context(component, verification_refusal=verification), status=status)
    initial = {}
    if request.GET.get("a") in {str(pk) for pk in organisation.official_profiles.values_list("pk", flat=True)}:
        initial["addressee"] = request.GET["a"]
    form = behalf_field_add(AskForm(request.POST or None, organisation=organisation, initial=initial),
                            request.user, organisation)
    if request.method == "POST" and request.POST.get("similar_check"):
        similar = similar_texts.lookup(request, lambda text: similar_questions(component, text)) or []
        return _form_page(request, component, form_unchecked(form), similar=similar, checked=True)
    if request.method == "POST":
        if form.is_valid():
            try:
                question = services.question_ask(author=request.user, component=component,
                                                 sender=sender_of(request), **form.values())
            except services.QuestionError as error:
                return _form_page(request, component, form, status=403, refusal=" ".join(error.messages))
            except ValidationError as error:
                form_add_errors(form, error)
            else:
                messages.success(request, _("Your question is sent. The moderators check it against the "
                                            "participation charter before it is published."))
                return redirect(question.get_absolute_url())
        return _form_page(request, component, form, status=400,
                          similar=similar_questions(component, similar_texts.typed(request.POST)))
    return _form_page(request, component, form)


@require_POST
@rate_limited
def question_support(request, org_slug, space_slug, component_id, question_id):
    component, can_manage = public_component_for(request, "questions", space_slug=space_slug,
                                                 component_id=component_id)
    question = _question(request, component, question_id, can_manage)
    if not request.user.is_authenticated:
        return redirect_to_login(question.get_absolute_url())
    try:
        support = services.question_support(user=request.user, question=question, sender=sender_of(request))
    except services.QuestionError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        if support.question.committed_at and support.question.support_count == component.setting("support_threshold"):
            messages.success(request, _("Thank you: with your support the question reached its threshold. The "
                                        "commune commits to answer it."))
        else:
            messages.success(request, _("Thank you: you support this question."))
    return redirect(question.get_absolute_url())


def official_list(request, org_slug):
    """The commune's elected officials who have a public profile, and where to ask them a question."""
    organisation = request.organisation
    profiles = OfficialProfile.objects.filter(organisation=organisation, published=True)
    components = list(organisation_components(organisation))
    return render(request, "questions/official_list.html", {
        "organisation": organisation, "profiles": profiles, "components": components,
        "figures": figures(Question.objects.public().of_organisation(organisation))})


def organisation_components(organisation):
    from concerto.core.spaces.models import Component

    return (Component.objects.filter(kind="questions", published=True, space__organisation=organisation,
                                     space__status="published").select_related("space__organisation"))


def official_detail(request, org_slug, profile_slug):
    organisation = request.organisation
    profile = OfficialProfile.objects.filter(organisation=organisation, slug=profile_slug, published=True).first()
    if profile is None:
        raise Http404(_("This elected official has no public profile here."))
    public = Question.objects.public().of_organisation(organisation)
    theirs = public.filter(Q(addressee=profile) | Q(answered_by=profile.user))
    answered = list(public.filter(answered_by=profile.user).select_related("component__space__organisation")
                    .order_by("-answered_at")[:20])
    behalf_names(answered)  # « Au nom de » on the cards, in one query
    return render(request, "questions/official_detail.html", {
        "organisation": organisation, "profile": profile, "answered": answered,
        "figures": figures(theirs),
        "events": registry.agenda_items(organisation, organiser=profile.name, limit=10),
        "components": list(organisation_components(organisation))})
