"""Back-office of an events component: the events (create, edit, publish, cancel, registration questions),
their registrations and the CSV export of them.

Every view is for the managers of the organisation named in the URL (with 2FA, through backoffice_view),
and the component must be an events component of one of that organisation's spaces: anything else is a
404, so the agent of another commune learns nothing.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_safe

from concerto.components.events import services
from concerto.components.events.forms import CancelForm, EventForm, QuestionForm
from concerto.components.events.models import Event, Registration
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.exports import export_response
from concerto.core.jobs.exports import export_is_big, export_start
from concerto.core.spaces.lookup import component_for, item_for
from concerto.core.spaces.models import Component

MANAGE = "spaces.manage_space"
READ = "spaces.read_space"  # elected officials read what agents work on
PERSONAL_DATA = "participation.view_personal_data"  # the registrants' names, emails and answers


def _event(component: Component, event_id: int) -> Event:
    return item_for(component, Event.objects.select_related("commune", "contributions_component"), event_id)

def _context(component: Component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


def _form_errors(form, error: ValidationError) -> None:
    aliases = {"point": "location"}
    for name, problems in error.message_dict.items():
        name = aliases.get(name, name)
        form.add_error(name if name in form.fields else None, problems)


@require_safe
@backoffice_view(MANAGE, read=READ)
def event_list(request, org_slug, space_slug, component_id):
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    events = list(services.with_counts(component.events.all()).select_related("commune").order_by("-starts_at"))
    for event in events:
        event.component = component
    return render(request, "events/backoffice/event_list.html", _context(component, events=events))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def event_create(request, org_slug, space_slug, component_id):
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    form = EventForm(request.POST or None, component=component)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, component=component, **form.values())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The event is created. It is not published yet: add questions if you need "
                                        "them, then publish it."))
            return redirect("events_backoffice:edit", org_slug, space_slug, component.pk, event.pk)
    return render(request, "events/backoffice/event_form.html", _context(component, form=form, event=None),
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def event_edit(request, org_slug, space_slug, component_id, event_id):
    """The event's form, its publication, and its registration questions (one POST `action` each)."""
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = _event(component, event_id)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    form = EventForm(request.POST if action == "save" else None, component=component, event=event)
    question_form = QuestionForm(request.POST if action == "question_add" else None)
    here = redirect("events_backoffice:edit", org_slug, space_slug, component.pk, event.pk)
    if action == "save" and form.is_valid():
        try:
            services.event_update(actor=request.user, event=event, **form.values())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return here
    elif action in ("publish", "unpublish"):
        try:
            services.event_publish(actor=request.user, event=event, published=action == "publish")
        except services.EventError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The event is published.") if action == "publish"
                             else _("The event is no longer published."))
        return here
    elif action == "question_add" and question_form.is_valid():
        try:
            services.question_add(actor=request.user, event=event, label=question_form.cleaned_data["label"],
                                  required=question_form.cleaned_data["required"])
        except ValidationError as error:
            _form_errors(question_form, error)
        else:
            messages.success(request, _("The question is added."))
            return here
    elif action == "question_remove":
        raw = request.POST.get("question", "")
        question = event.questions.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None
        if question is None:
            messages.error(request, _("This question does not exist any more."))
        else:
            services.question_remove(actor=request.user, question=question)
            messages.success(request, _("The question is removed."))
        return here
    invalid = form.errors or question_form.errors
    return render(request, "events/backoffice/event_form.html", _context(
        component, form=form, event=event, question_form=question_form, questions=list(event.questions.all()),
        places_left=services.places_left(event)), status=400 if invalid else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def event_cancel(request, org_slug, space_slug, component_id, event_id):
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = _event(component, event_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(actor=request.user, event=event, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        except services.EventError as error:
            messages.error(request, error.message)
            return redirect("events_backoffice:edit", org_slug, space_slug, component.pk, event.pk)
        else:
            messages.success(request, _("The event is cancelled. The people registered are told."))
            return redirect("events_backoffice:edit", org_slug, space_slug, component.pk, event.pk)
    count = event.registrations.exclude(status=Registration.Status.CANCELLED).count()
    return render(request, "events/backoffice/event_cancel.html", _context(
        component, event=event, form=form, count=count), status=400 if form.errors else 200)


def _registration_rows(event: Event):
    return event.registrations.select_related("user", "residence").order_by("created_at", "pk")


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE, read=READ)
def registration_list(request, org_slug, space_slug, component_id, event_id):
    """The registrations by status; POST `registration=<id>` cancels one (someone who phoned to say they
    cannot come): their place goes to the waitlist."""
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = _event(component, event_id)
    if request.method == "POST":
        raw = request.POST.get("registration", "")
        registration = (event.registrations.exclude(status=Registration.Status.CANCELLED).filter(pk=int(raw)).first()
                        if raw.isdigit() and len(raw) < 12 else None)
        if registration is None:
            messages.error(request, _("This registration does not exist or is already cancelled."))
        else:
            registration.event = event
            services.registration_cancel(actor=request.user, registration=registration)
            messages.success(request, _("The registration is cancelled. The first person on the waitlist, if any, "
                                        "gets the place."))
        return redirect("events_backoffice:registrations", org_slug, space_slug, component.pk, event.pk)
    questions = list(event.questions.all())
    groups = {status: [] for status in Registration.Status.values}
    for registration in _registration_rows(event):
        registration.answer_list = [registration.answers.get(str(q.pk), "") for q in questions]
        groups[registration.status].append(registration)
    return render(request, "events/backoffice/registration_list.html", _context(
        component, event=event, questions=questions, confirmed=groups[Registration.Status.CONFIRMED],
        waitlisted=groups[Registration.Status.WAITLISTED], cancelled=groups[Registration.Status.CANCELLED],
        places_left=services.places_left(event),
        show_people=request.user.has_perm(PERSONAL_DATA, component),
        can_manage=request.user.has_perm(MANAGE, component)))


def _registration_cells(event: Event, questions, yes: str, no: str, statuses: dict, attendances: dict):
    for registration in _registration_rows(event):
        user = registration.user
        yield [
            registration.name or (user.display_name if user else ""), user.email if user else "",
            statuses.get(registration.status, ""), attendances.get(registration.attendance, ""),
            registration.created_at.isoformat(timespec="minutes"),
            registration.checked_in_at.isoformat(timespec="minutes") if registration.checked_in_at else "",
            yes if registration.walk_in else no, registration.code,
        ] + [str(registration.answers.get(str(q.pk), "")) for q in questions]


@require_safe
@backoffice_view(PERSONAL_DATA)
def registration_export(request, org_slug, space_slug, component_id, event_id):
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = _event(component, event_id)
    count = Registration.objects.filter(event=event).count()
    if export_is_big(count):  # a background job writes the file
        return export_start(
            request, rows_func="concerto.components.events.backoffice_views.registration_table",
            args={"event_id": event.pk}, count=count, filename=f"inscriptions-{event.pk}.csv", permission=MANAGE,
            title=_("Export of the registrations to “%(title)s”") % {"title": event.title})
    rows = registration_table(event=event)
    return export_response(rows, next(rows), f"inscriptions-{event.pk}.csv")


def registration_table(*, event: Event | None = None, event_id: int | None = None):
    """The header, then one row per registration of EVENT (or EVENT_ID: the background job's)."""
    if event is None:
        event = Event.objects.get(pk=event_id)
    # The words are translated with the header (the first row, read in the view), in the request's language:
    # the other rows are read after the view returns.
    questions = list(event.questions.all())
    header = [_("Name"), pgettext("person", "Email"), _("Status"), _("Attends"), _("Registered on"), _("Checked in at"),
              _("Walk-in"), _("Code")] + [q.label for q in questions]
    statuses = {key: str(value) for key, value in Registration.Status.choices}
    attendances = {key: str(value) for key, value in Registration.Attendance.choices}
    cells = _registration_cells(event, questions, _("yes"), _("no"), statuses, attendances)
    yield header
    yield from cells
