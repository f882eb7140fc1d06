"""Back-office of a consultation: build the questionnaire, enter paper responses, download the answers.

Every view is for the managers of the organisation named in the URL, and the component must be a
consultation of one of that organisation's spaces: anything else is a 404, so the agent of another
commune learns nothing.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.components.consultations import building, exports, services
from concerto.components.consultations.forms import (
    IntroForm,
    KindForm,
    PaperForm,
    QuestionForm,
    ResponseForm,
    SectionForm,
)
from concerto.components.consultations.models import Option, Question, Response, Section
from concerto.components.consultations.questionnaire import questionnaire_locked, questionnaire_structure
from concerto.components.consultations.results import submitted_responses
from concerto.components.consultations.views import _filters
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.participation.models import Channel
from concerto.core.spaces.lookup import component_for, item_for

MANAGE = "spaces.manage_space"
# Elected officials read the questionnaire and its figures (not the edit pages); the responses and their
# exports are personal data, opened to them only where the organisation allows it.
READ = "spaces.read_space"
PERSONAL_DATA = "participation.view_personal_data"
RESPONSES_PER_PAGE = 50


def _question(component, structure, question_id) -> Question:
    question = structure.by_id.get(question_id)
    if question is None:
        raise Http404(_("This question does not exist."))
    question.component = component
    return question


def _context(component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


def _back(component):
    return redirect(component.get_backoffice_url())


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _settings(component) -> list[tuple[str, str]]:
    """The component's settings as (label, value in words), shown read-only on the questionnaire's page."""
    shown = []
    for setting in component.manifest.settings:
        value = component.setting(setting.name)
        if setting.choices:
            value = dict(setting.choices).get(value, value)
        elif setting.type is bool:
            value = _("Yes") if value else _("No")
        shown.append((setting.label, str(value)))
    return shown


@require_safe
@backoffice_view(MANAGE, read=READ)
def builder(request, org_slug, space_slug, component_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    structure = questionnaire_structure(component)
    counts = dict(submitted_responses(component).values_list("channel").annotate(n=Count("id")).order_by())
    channels = [(label, counts[value]) for value, label in Channel.choices if counts.get(value)]
    return render(request, "consultations/backoffice/builder.html", _context(
        component, structure=structure, locked=questionnaire_locked(component),
        total=sum(counts.values()), channels=channels, window=services.answers_open(component),
        settings=_settings(component), can_manage=request.user.has_perm(MANAGE, component),
    ))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def intro_edit(request, org_slug, space_slug, component_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    structure = questionnaire_structure(component)
    form = IntroForm(request.POST or None, initial={"intro": structure.intro})
    if request.method == "POST" and form.is_valid():
        building.questionnaire_intro_update(actor=request.user, component=component, intro=form.cleaned_data["intro"])
        messages.success(request, _("The introduction is saved."))
        return _back(component)
    return render(request, "consultations/backoffice/intro_form.html", _context(component, form=form),
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def section_create(request, org_slug, space_slug, component_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            building.section_create(actor=request.user, component=component, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The section is added."))
            return _back(component)
    return render(request, "consultations/backoffice/section_form.html", _context(component, form=form, section=None),
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def section_edit(request, org_slug, space_slug, component_id, section_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    section = item_for(component, Section, section_id)
    form = SectionForm(request.POST or None, initial={"title": section.title, "description": section.description})
    if request.method == "POST" and form.is_valid():
        try:
            building.section_update(actor=request.user, section=section, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return _back(component)
    return render(request, "consultations/backoffice/section_form.html",
                  _context(component, form=form, section=section), status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def section_delete(request, org_slug, space_slug, component_id, section_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    section = item_for(component, Section, section_id)
    locked = questionnaire_locked(component) and section.questions.exists()
    if request.method == "POST" and not locked:
        building.section_delete(actor=request.user, section=section)
        messages.success(request, _("The section is deleted."))
        return _back(component)
    return render(request, "consultations/backoffice/confirm_delete.html", _context(
        component, what="section", item=section, locked=locked, questions=section.questions.count(),
    ), status=409 if request.method == "POST" else 200)


def _direction(request) -> str:
    direction = request.POST.get("direction", "")
    return direction if direction in ("up", "down") else ""


@require_POST
@backoffice_view(MANAGE)
def section_move(request, org_slug, space_slug, component_id, section_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    section = item_for(component, Section, section_id)
    if _direction(request):
        building.section_move(actor=request.user, section=section, direction=_direction(request))
    return redirect(f"{component.get_backoffice_url()}#section-{section.pk}")


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def question_create(request, org_slug, space_slug, component_id, section_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    section = item_for(component, Section, section_id)
    structure = questionnaire_structure(component)
    kind = request.GET.get("type", "")
    if kind not in Question.Kind.values:
        # First choose the type (a GET form), then write the question.
        kind_form = KindForm(request.GET if "type" in request.GET else None)
        if kind_form.is_bound:
            kind_form.is_valid()
        return render(request, "consultations/backoffice/question_kind.html", _context(
            component, section=section, kind_form=kind_form), status=400 if kind_form.errors else 200)
    form = QuestionForm(request.POST or None, kind=kind, structure=structure, section=section)
    if request.method == "POST" and form.is_valid():
        options = {option.pk: option for opts in structure.options.values() for option in opts}
        try:
            building.question_create(actor=request.user, section=section, kind=kind, **form.values(options))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The question is added."))
            return redirect(f"{component.get_backoffice_url()}#section-{section.pk}")
    return render(request, "consultations/backoffice/question_form.html", _context(
        component, form=form, section=section, question=None, kind_label=Question.Kind(kind).label,
    ), status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def question_edit(request, org_slug, space_slug, component_id, question_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    structure = questionnaire_structure(component)
    question = _question(component, structure, question_id)
    locked = questionnaire_locked(component)
    form = QuestionForm.for_question(question, structure, request.POST or None, locked=locked)
    if request.method == "POST" and form.is_valid():
        options = {option.pk: option for opts in structure.options.values() for option in opts}
        values = form.values(options)
        sections = {section.pk: section for section in structure.sections}
        values["section"] = sections.get(form.cleaned_data.get("section"), question.section)
        try:
            building.question_update(actor=request.user, question=question, **values)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(f"{component.get_backoffice_url()}#question-{question.pk}")
    return render(request, "consultations/backoffice/question_form.html", _context(
        component, form=form, section=question.section, question=question, locked=locked,
        kind_label=question.get_kind_display(),
        dependents=[other for other in structure.questions if other.condition_option
                    and other.condition_option.question_id == question.pk],
    ), status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def question_delete(request, org_slug, space_slug, component_id, question_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    structure = questionnaire_structure(component)
    question = _question(component, structure, question_id)
    locked = questionnaire_locked(component)
    if request.method == "POST" and not locked:
        building.question_delete(actor=request.user, question=question)
        messages.success(request, _("The question is deleted."))
        return _back(component)
    return render(request, "consultations/backoffice/confirm_delete.html", _context(
        component, what="question", item=question, locked=locked,
    ), status=409 if request.method == "POST" else 200)


@require_POST
@backoffice_view(MANAGE)
def question_move(request, org_slug, space_slug, component_id, question_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    question = item_for(component, Question, question_id)
    if _direction(request):
        building.question_move(actor=request.user, question=question, direction=_direction(request))
    return redirect(f"{component.get_backoffice_url()}#question-{question.pk}")


@require_POST
@backoffice_view(MANAGE)
def option_move(request, org_slug, space_slug, component_id, option_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    option = item_for(component, Option.objects.select_related("question"), option_id, field="question__component")
    if _direction(request):
        building.option_move(actor=request.user, option=option, direction=_direction(request))
    return redirect(f"{component.get_backoffice_url()}questions/{option.question_id}/modifier/#options-order")


@require_safe
@backoffice_view(MANAGE, read=PERSONAL_DATA)
def response_list(request, org_slug, space_slug, component_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    responses = (submitted_responses(component).select_related("residence", "entered_by").order_by("-pk"))
    page = Paginator(responses, RESPONSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "consultations/backoffice/responses.html", _context(
        component, page=page, paper_channels=services.PAPER_CHANNELS,
        can_manage=request.user.has_perm(MANAGE, component)))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def paper_entry(request, org_slug, space_slug, component_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    structure = questionnaire_structure(component)
    meta = PaperForm(request.POST or None, prefix="about")
    form = ResponseForm(structure, request.POST or None, paper=True)
    if request.method == "POST":
        valid = meta.is_valid()
        valid = form.is_valid() and valid
        if valid:
            try:
                services.paper_response_enter(
                    actor=request.user, component=component, answers=form.answers,
                    channel=meta.cleaned_data["channel"], residence=meta.cleaned_data["residence"],
                    answered_on=meta.cleaned_data["answered_on"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The response is saved. You can enter the next one."))
                return redirect("consultations_backoffice:paper_entry", org_slug=org_slug, space_slug=space_slug,
                                component_id=component.pk)
    return render(request, "consultations/backoffice/paper_form.html", _context(
        component, structure=structure, form=form, meta=meta,
    ), status=400 if (form.errors or meta.errors) else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def response_delete(request, org_slug, space_slug, component_id, response_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    response = item_for(component, Response.objects.filter(status=Response.Status.SUBMITTED), response_id)
    deletable = response.channel in services.PAPER_CHANNELS
    if request.method == "POST" and deletable:
        services.response_delete(actor=request.user, response=response)
        messages.success(request, _("The response is deleted."))
        return redirect("consultations_backoffice:responses", org_slug=org_slug, space_slug=space_slug,
                        component_id=component.pk)
    return render(request, "consultations/backoffice/confirm_delete.html", _context(
        component, what="response", item=response, locked=not deletable,
    ), status=409 if request.method == "POST" else 200)


@require_safe
@backoffice_view(MANAGE, read=PERSONAL_DATA)
def export_csv(request, org_slug, space_slug, component_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    _form, filters = _filters(request, component)
    structure = questionnaire_structure(component)
    return exports.big_export(request, structure, filters, "csv") or exports.csv_response(structure, filters)


@require_safe
@backoffice_view(MANAGE, read=PERSONAL_DATA)
def export_xlsx(request, org_slug, space_slug, component_id):
    component = component_for(request, "consultations", space_slug=space_slug, component_id=component_id)
    _form, filters = _filters(request, component)
    structure = questionnaire_structure(component)
    return exports.big_export(request, structure, filters, "xlsx") or exports.xlsx_response(structure, filters)
