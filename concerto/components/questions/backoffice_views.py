"""Back-office of questions to elected officials: the list (awaiting moderation, awaiting an answer, all), a
question (assignment, deadline, answer), the officials' profiles and the commune's figures.

Agents and administrators change everything; an elected official reads every page and writes the answer of
the questions assigned to them; another commune's staff gets a 404 (the kernel's lookup).
"""

from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerto.components.questions import services
from concerto.components.questions.figures import figures
from concerto.components.questions.forms import AnswerForm, AssignForm, DeadlineForm, ProfileForm
from concerto.components.questions.models import OfficialProfile, Question
from concerto.components.questions.permissions import ANSWER
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import refusal_message
from concerto.core.forms import form_saved
from concerto.core.spaces.lookup import component_for, item_for

MANAGE = "spaces.manage_space"
READ = "spaces.read_space"


def _context(component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


def _component(request, space_slug, component_id):
    return component_for(request, "questions", space_slug=space_slug, component_id=component_id)


@backoffice_view(MANAGE, read=READ)
def question_list(request, org_slug, space_slug, component_id):
    component = _component(request, space_slug, component_id)
    questions = component.questions.select_related("addressee", "assignee", "author")
    shown = request.GET.get("liste", "reponse")
    if shown == "moderation":
        rows = questions.filter(status=Question.Status.PENDING, hidden_at__isnull=True)
    elif shown == "tout":
        rows = questions.all()
    else:
        shown = "reponse"
        rows = questions.filter(status=Question.Status.PUBLISHED, answered_at__isnull=True).order_by(
            "due_at", "-support_count", "pk")
    return render(request, "questions/backoffice/question_list.html", _context(
        component, questions=rows[:200], shown=shown,
        pending=questions.filter(status=Question.Status.PENDING, hidden_at__isnull=True).count()))


def _question_page(request, component, question, *, answer_form=None, assign_form=None, deadline_form=None,
                   status=200):
    organisation = component.space.organisation
    user = request.user
    can_manage = user.has_perm(MANAGE, component)
    can_answer = user.has_perm(ANSWER, component) and not services.answer_refusal(user=user, question=question)
    events = services.event_choices(organisation)
    if can_answer and answer_form is None:
        answer_form = AnswerForm(events=events, initial={
            "text": question.answer_text, "video_url": question.answer_video_url,
            "event_url": question.answer_event_url})
    if can_manage and assign_form is None:
        assign_form = AssignForm(officials=services.elected_of(organisation),
                                 initial={"assignee": question.assignee_id or ""})
    if can_manage and question.committed_at and deadline_form is None:
        deadline_form = DeadlineForm(initial={"due_at": timezone.localtime(question.due_at).date()})
    return render(request, "questions/backoffice/question.html", _context(
        component, question=question, can_manage=can_manage, answer_form=answer_form if can_answer else None,
        assign_form=assign_form if can_manage else None, deadline_form=deadline_form if can_manage else None),
        status=status)


@backoffice_view(MANAGE, read=READ)
def question_detail(request, org_slug, space_slug, component_id, question_id):
    component = _component(request, space_slug, component_id)
    return _question_page(request, component, item_for(component, Question, question_id))


@require_POST
@backoffice_view(MANAGE)
def question_assign(request, org_slug, space_slug, component_id, question_id):
    component = _component(request, space_slug, component_id)
    question = item_for(component, Question, question_id)
    form = AssignForm(request.POST, officials=services.elected_of(component.space.organisation))
    if form_saved(request, form, lambda: services.question_assign(
            actor=request.user, question=question, assignee=form.officials.get(form.cleaned_data["assignee"])),
            done=_("The assignment is saved.")):
        return redirect("questions_backoffice:detail", org_slug, space_slug, component_id, question_id)
    return _question_page(request, component, question, assign_form=form, status=400)


@require_POST
@backoffice_view(MANAGE)
def question_deadline(request, org_slug, space_slug, component_id, question_id):
    component = _component(request, space_slug, component_id)
    question = item_for(component, Question, question_id)
    form = DeadlineForm(request.POST)

    def save():
        due_at = timezone.make_aware(datetime.combine(form.cleaned_data["due_at"], time(23, 59)))
        return services.question_deadline_set(actor=request.user, question=question, due_at=due_at)

    if form_saved(request, form, save, done=_("The deadline is saved.")):
        return redirect("questions_backoffice:detail", org_slug, space_slug, component_id, question_id)
    return _question_page(request, component, question, deadline_form=form, status=400)


@require_POST
@backoffice_view(ANSWER)
def question_answer(request, org_slug, space_slug, component_id, question_id):
    component = _component(request, space_slug, component_id)
    question = item_for(component, Question, question_id)
    refusal = services.answer_refusal(user=request.user, question=question)
    if refusal:
        # An elected official who is not the assignee is told the truth about their role.
        raise PermissionDenied(refusal_message(request.user, component, MANAGE, refusal))
    form = AnswerForm(request.POST, request.FILES, events=services.event_choices(component.space.organisation))
    publish = request.POST.get("action") != "draft"
    if form_saved(request, form, lambda: services.question_answer(
            actor=request.user, question=question, publish=publish, text=form.cleaned_data["text"],
            document=form.cleaned_data["document"], video_url=form.cleaned_data["video_url"],
            event_url=form.cleaned_data["event_url"]),
            done=lambda saved: _("The answer is published.") if saved.answered_at
            else _("The answer is saved. It is not published yet.")):
        return redirect("questions_backoffice:detail", org_slug, space_slug, component_id, question_id)
    return _question_page(request, component, question, answer_form=form, status=400)


@backoffice_view(MANAGE, read=READ)
def profile_list(request, org_slug, space_slug, component_id):
    component = _component(request, space_slug, component_id)
    profiles = OfficialProfile.objects.filter(organisation=component.space.organisation)
    return render(request, "questions/backoffice/profile_list.html", _context(component, profiles=profiles))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def profile_edit(request, org_slug, space_slug, component_id, profile_id=None):
    component = _component(request, space_slug, component_id)
    organisation = component.space.organisation
    profile = None
    if profile_id is not None:
        profile = item_for(component, OfficialProfile.objects.filter(organisation=organisation), profile_id,
                           field=None)
    initial = ({"user": profile.user_id, "name": profile.name, "mandate": profile.mandate,
                "delegations": profile.delegations, "photo_alt": profile.photo_alt, "published": profile.published}
               if profile else {"published": True})
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial,
                       officials=services.elected_of(organisation))
    if form_saved(request, form, lambda: services.official_profile_save(
            actor=request.user, organisation=organisation, profile=profile, **form.values()),
            done=_("The profile is saved.")):
        return redirect("questions_backoffice:profiles", org_slug, space_slug, component_id)
    return render(request, "questions/backoffice/profile_form.html", _context(component, form=form, profile=profile),
                  status=400 if request.method == "POST" else 200)


@backoffice_view(MANAGE, read=READ)
def question_figures(request, org_slug, space_slug, component_id):
    """The commune's figures: over this component, and over every questions component of the commune."""
    component = _component(request, space_slug, component_id)
    public = Question.objects.public()
    return render(request, "questions/backoffice/figures.html", _context(
        component, figures=figures(public.filter(component=component)),
        commune_figures=figures(public.of_organisation(component.space.organisation))))
