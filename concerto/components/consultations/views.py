"""Public pages of a consultation: answer the questionnaire, change one's answers, see the results.

Views parse, check, call one service and render. A closed questionnaire shows why (and since when)
instead of the form; results are shown to everyone or to the team only, as the component's setting says.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from concerto.components.consultations import exports, services
from concerto.components.consultations.forms import (
    ResidenceForm,
    ResponseForm,
    ResultsFilterForm,
    TextSearchForm,
    answers_as_initial,
    draft_form,
    draft_values,
)
from concerto.components.consultations.manifest import results_are_public
from concerto.components.consultations.models import Answer, Question
from concerto.components.consultations.permissions import READ_RESULTS
from concerto.components.consultations.questionnaire import questionnaire_structure
from concerto.components.consultations.results import (
    Filters,
    communes_with_responses,
    filters_from,
    points_geojson,
    results_compute,
    text_answers,
    weighted_choice_results,
)
from concerto.core import geocoding
from concerto.core.accounts.verification import action_refusal
from concerto.core.participation.services import session_key
from concerto.core.ratelimit import rate_limited, sender_of
from concerto.core.spaces.lookup import public_component_for

SESSION_KEY = "consultations_key"
TEXTS_PER_PAGE = 25
Kind = Question.Kind


def can_see_results(request, component) -> bool:
    """Public results for everyone; otherwise the organisation's team (any role) only."""
    return request.user.has_perm(READ_RESULTS, component)


def _anonymous_key(request, *, create: bool = False) -> str:
    return session_key(request, SESSION_KEY, create=create)


def _context(component, can_manage, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            "can_manage": can_manage, "is_public": component.published and component.space.is_published,
            **extra}


def answers_display(structure, response) -> list:
    """(section, [(question, answer as text)]) for the questions RESPONSE answered."""
    rows: dict[int, list] = {}
    for answer in Answer.objects.filter(response=response).order_by("pk"):
        rows.setdefault(answer.question_id, []).append(answer)
    labels = {option.pk: option.label for options in structure.options.values() for option in options}
    shown = []
    for section in structure.sections:
        items = []
        for question in section.question_list:
            answers = rows.get(question.pk)
            if answers:
                items.append((question, _answer_text(question, answers, labels)))
        if items:
            shown.append((section, items))
    return shown


def _answer_text(question, answers, labels) -> str:
    from django.utils.formats import date_format, number_format

    kind = question.kind
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        return " ; ".join(f"{labels.get(a.option_id, '')} : {a.text}" if a.text else labels.get(a.option_id, "")
                          for a in answers)
    if kind == Kind.RANKING:
        return " ; ".join(f"{a.rank}. {labels.get(a.option_id, '')}" for a in sorted(answers, key=lambda a: a.rank))
    answer = answers[0]
    if kind in (Kind.SCALE, Kind.NUMBER):
        return number_format(answer.number, decimal_pos=None if not answer.number.is_integer() else 0)
    if kind == Kind.DATE:
        return date_format(answer.date, "j F Y")
    if kind == Kind.POINT:
        return geocoding.place_name(answer.latitude, answer.longitude) or _("A place on the map")
    return answer.text


def _state(request, component):
    """Who answers (user or browser key) and their response, if any."""
    user = request.user if request.user.is_authenticated else None
    key = "" if user else _anonymous_key(request)
    return user, key, services.my_response(component, user, key)


@require_http_methods(["GET", "POST"])
@rate_limited
def questionnaire(request, org_slug, space_slug, component_id, edit: bool = False):
    component, can_manage = public_component_for(
        request, "consultations", space_slug=space_slug, component_id=component_id)
    structure = questionnaire_structure(component)
    window = services.answers_open(component)
    user, key, response = _state(request, component)
    submitted = response is not None and response.is_submitted
    anonymous_allowed = component.setting("participation") == "anonymous"
    context = _context(component, can_manage, structure=structure, window=window, response=response,
                       submitted=submitted, anonymous_allowed=anonymous_allowed,
                       results_visible=can_see_results(request, component), editing=edit and submitted)

    if not window.open:
        context["answers"] = answers_display(structure, response) if submitted else []
        return render(request, "consultations/closed.html", context, status=403 if request.method == "POST" else 200)
    # Answering may be reserved to verified residents: then the page says why and where to verify instead
    # of showing the form, and a form sent anyway (an old tab) is refused before anything is read.
    refusal = action_refusal(user=request.user, component=component, action="respond",
                             next_url=request.get_full_path())
    context["refusal"] = refusal
    if user is None and (refusal is not None or not anonymous_allowed):
        if request.method == "POST":
            return render(request, "consultations/sign_in.html", context, status=403)
        return render(request, "consultations/sign_in.html", context)
    if submitted and not edit and request.method == "GET":
        context["answers"] = answers_display(structure, response)
        return render(request, "consultations/answered.html", context)
    if refusal is not None:
        if request.method == "POST":
            return _refused(request, context, refusal.message)
        return render(request, "consultations/questionnaire.html", {**context, "editing": False})

    ask_residence = user is None or user.residence_id is None
    if request.method == "POST":
        return _questionnaire_post(request, component, structure, context, user, ask_residence, submitted)
    if submitted:
        form = ResponseForm(structure, initial=answers_as_initial(structure, _answers_by_question(response)))
    elif response is not None and response.draft_data:
        form = draft_form(structure, response.draft_data)
        context["draft_restored"] = True
    else:
        form = ResponseForm(structure)
    residence_form = ResidenceForm(prefix="about", initial={"residence": response.residence_id if response else None}) \
        if ask_residence else None
    return render(request, "consultations/questionnaire.html", {
        **context, "form": form, "residence_form": residence_form,
        "can_save_draft": user is not None and not submitted,
        "saved_at": int(response.updated_at.timestamp() * 1000) if response else 0,
    })


def _answers_by_question(response) -> dict:
    rows: dict[int, list] = {}
    for answer in response.answers.order_by("pk"):
        rows.setdefault(answer.question_id, []).append(answer)
    return rows


def _questionnaire_post(request, component, structure, context, user, ask_residence, submitted):
    def form_page(form, residence_form, status=400):
        return render(request, "consultations/questionnaire.html", {
            **context, "form": form, "residence_form": residence_form, "editing": submitted,
            "can_save_draft": user is not None and not submitted, "saved_at": 0,
        }, status=status)

    if request.POST.get("action") == "draft":
        if user is None:
            raise PermissionDenied(_("Sign in to save a draft."))
        try:
            services.response_draft_save(component=component, respondent=user, sender=sender_of(request),
                                         data=draft_values(structure, request.POST))
        except services.AnswersClosed as closed:
            return _refused(request, context, closed.message)
        except ValidationError as error:
            form = ResponseForm(structure, data=request.POST)
            form.is_valid()
            form._errors.setdefault("__all__", form.error_class()).extend(error.messages)
            return form_page(form, ResidenceForm(request.POST, prefix="about") if ask_residence else None)
        messages.success(request, _("Your draft is saved. It is not sent: come back to finish and send it."))
        return redirect(component.get_absolute_url())

    form = ResponseForm(structure, data=request.POST)
    residence_form = ResidenceForm(request.POST, prefix="about") if ask_residence else None
    valid = form.is_valid()
    if residence_form is not None and not residence_form.is_valid():
        valid = False
    if not valid:
        return form_page(form, residence_form)
    residence = residence_form.cleaned_data.get("residence") if residence_form is not None else None
    key = "" if user else _anonymous_key(request, create=True)
    try:
        response, first_time = services.response_submit(component=component, answers=form.answers, respondent=user,
                                                        anonymous_key=key, residence=residence,
                                                        sender=sender_of(request))
    except services.AnswersClosed as closed:
        return _refused(request, context, closed.message)
    except ValidationError as error:
        for name, errors in (error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]):
            form.add_error(name if name in form.fields else None, errors)
        return form_page(form, residence_form)
    messages.success(request, _("Thank you! Your answers are sent.") if first_time
                     else _("Your changes are saved."))
    return redirect("consultations:confirmation", org_slug=component.space.organisation.slug,
                    space_slug=component.space.slug, component_id=component.pk)


def _refused(request, context, message: str):
    return render(request, "consultations/refused.html", {**context, "message": message}, status=403)


@require_safe
def confirmation(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(
        request, "consultations", space_slug=space_slug, component_id=component_id)
    structure = questionnaire_structure(component)
    _user, _key, response = _state(request, component)
    if response is None or not response.is_submitted:
        return redirect(component.get_absolute_url())
    return render(request, "consultations/confirmation.html", _context(
        component, can_manage, structure=structure, response=response,
        answers=answers_display(structure, response), window=services.answers_open(component),
        results_visible=can_see_results(request, component),
    ))


def _results_access(request, space_slug, component_id):
    component, can_manage = public_component_for(
        request, "consultations", space_slug=space_slug, component_id=component_id)
    if not can_see_results(request, component):
        raise PermissionDenied(_("The results of this consultation are only shown to the collectivité's team."))
    return component, can_manage


def _filters(request, component):
    communes = list(communes_with_responses(component))
    form = ResultsFilterForm(request.GET or None, communes=communes)
    if form.is_bound and form.is_valid():
        return form, filters_from(form.cleaned_data)
    return form, Filters()


@require_safe
def results(request, org_slug, space_slug, component_id):
    component, can_manage = _results_access(request, space_slug, component_id)
    structure = questionnaire_structure(component)
    filter_form, filters = _filters(request, component)
    computed = results_compute(structure, filters)
    query = urlencode(filters.as_query())
    return render(request, "consultations/results.html", _context(
        component, can_manage, structure=structure, results=computed, sections=computed.by_section(structure),
        filter_form=filter_form, query=query, query_suffix=f"?{query}" if query else "",
        results_public=results_are_public(component),
        can_see_team=request.user.has_perm("backoffice.view_organisation", request.organisation),
        # Weighted results for the collectivité's team, on the unfiltered results only.
        weighted=weighted_choice_results(structure) if can_manage and not filters.active else [],
    ), status=400 if filter_form.errors else 200)


def _question(component, question_id):
    question = Question.objects.filter(component=component, pk=question_id).select_related("section").first()
    if question is None:
        raise Http404(_("This question does not exist."))
    return question


@require_safe
def written_answers(request, org_slug, space_slug, component_id, question_id):
    """The written answers to one question, with a search and pages."""
    component, can_manage = _results_access(request, space_slug, component_id)
    question = _question(component, question_id)
    has_other = question.options.filter(is_other=True).exists()
    if not (question.is_text or has_other):
        raise Http404(_("This question has no written answers."))
    filter_form, filters = _filters(request, component)
    search_form = TextSearchForm(request.GET or None)
    search = search_form.cleaned_data.get("q", "").strip() if search_form.is_valid() else ""
    page = Paginator(text_answers(question, filters, search), TEXTS_PER_PAGE).get_page(request.GET.get("page"))
    query = {**filters.as_query(), **({"q": search} if search else {})}
    return render(request, "consultations/written_answers.html", _context(
        component, can_manage, question=question, page=page, search=search, search_form=search_form,
        filter_form=filter_form, query=urlencode(query), filter_query=urlencode(filters.as_query()),
        filter_params=list(filters.as_query().items()),
    ), status=400 if filter_form.errors or search_form.errors else 200)


@require_safe
def points(request, org_slug, space_slug, component_id, question_id):
    component, _can_manage = _results_access(request, space_slug, component_id)
    question = _question(component, question_id)
    if question.kind != Kind.POINT:
        raise Http404(_("This question is not answered on a map."))
    _form, filters = _filters(request, component)
    url = reverse("consultations:results", kwargs={"org_slug": org_slug, "space_slug": space_slug,
                                                   "component_id": component.pk}) + f"#question-{question.pk}"
    return JsonResponse(points_geojson(question, filters, url=url), content_type="application/geo+json")


def _open_data(request, space_slug, component_id):
    component, _can_manage = public_component_for(
        request, "consultations", space_slug=space_slug, component_id=component_id)
    if not results_are_public(component):
        raise PermissionDenied(_("The results of this consultation are not public: they cannot be downloaded."))
    structure = questionnaire_structure(component)
    _form, filters = _filters(request, component)
    return structure, filters


@require_safe
def open_data_csv(request, org_slug, space_slug, component_id):
    return exports.csv_response(*_open_data(request, space_slug, component_id))


@require_safe
def open_data_xlsx(request, org_slug, space_slug, component_id):
    return exports.xlsx_response(*_open_data(request, space_slug, component_id))
